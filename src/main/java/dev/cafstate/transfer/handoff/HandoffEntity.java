package dev.cafstate.transfer.handoff;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.cafstate.common.security.Tenant;

/** A handoff (table {@code handoffs}), read as an entity; its state moves in {@link HandoffRepository}'s statements. */
@Entity
@Table(name = "handoffs")
public class HandoffEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "execution_id", nullable = false)
    public String executionId;

    @Column(nullable = false)
    public String location;

    @Column(name = "target_cluster", nullable = false)
    public String targetCluster;

    @Column(nullable = false)
    public long epoch;

    @Column(nullable = false)
    public String state;

    @Column(name = "previous_status", nullable = false)
    public String previousStatus;

    @Column(name = "final_checkpoint_id")
    public String finalCheckpointId;

    @Column(name = "export_job_id")
    public UUID exportJobId;

    @Column(name = "manifest_key", columnDefinition = "text")
    public String manifestKey;

    @Column(name = "expires_at")
    public Long expiresAt;

    @Column(columnDefinition = "text")
    public String error;

    @Column(name = "created_at", nullable = false)
    public long createdAt;

    @Column(name = "updated_at", nullable = false)
    public long updatedAt;

    @Column(name = "outcome_published", nullable = false)
    public boolean outcomePublished;

    public Handoff toHandoff() {
        return new Handoff(
                id,
                Tenant.of(tenant),
                executionId,
                location,
                targetCluster,
                epoch,
                state,
                previousStatus,
                finalCheckpointId,
                exportJobId,
                manifestKey,
                expiresAt,
                error,
                createdAt,
                updatedAt,
                outcomePublished);
    }
}
