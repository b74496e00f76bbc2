package dev.cafstate.transfer.location;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** What the last sync of a location found (table {@code location_status}), read as an entity. */
@Entity
@Table(name = "location_status")
public class LocationStatusEntity {

    @Id
    public String location;

    @Column(name = "last_sync_at")
    public Long lastSyncAt;

    @Column(name = "last_sync_error", columnDefinition = "text")
    public String lastSyncError;

    @Column(name = "manifests_seen", nullable = false)
    public long manifestsSeen;

    @Column(name = "jobs_created", nullable = false)
    public long jobsCreated;

    public LocationStatusRepository.Status toStatus() {
        return new LocationStatusRepository.Status(location, lastSyncAt, lastSyncError, manifestsSeen, jobsCreated);
    }
}
