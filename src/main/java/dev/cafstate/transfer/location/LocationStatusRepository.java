package dev.cafstate.transfer.location;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Every statement on {@code location_status} and {@code location_manifests} (migration V10). */
@ApplicationScoped
public class LocationStatusRepository {

    /** What the last sync of a location did. */
    public record Status(
            String location, Long lastSyncAt, String lastSyncError, long manifestsSeen, long jobsCreated) {}

    private final Pool pool;

    public LocationStatusRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Status> find(String location) {
        return pool.preparedQuery("SELECT * FROM location_status WHERE location = $1")
                .execute(Tuple.of(location))
                .map(rows -> rows.size() == 0 ? null : status(rows.iterator().next()));
    }

    /** Records a sync round: its time, what it found, and its error (null when it succeeded). */
    public Uni<Void> synced(String location, long at, long seen, long created, String error) {
        return pool.preparedQuery("""
                        INSERT INTO location_status (location, last_sync_at, last_sync_error, manifests_seen, jobs_created)
                        VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT (location) DO UPDATE SET last_sync_at = EXCLUDED.last_sync_at,
                          last_sync_error = EXCLUDED.last_sync_error,
                          manifests_seen = location_status.manifests_seen + EXCLUDED.manifests_seen,
                          jobs_created = location_status.jobs_created + EXCLUDED.jobs_created""")
                .execute(Tuple.from(new Object[] {location, at, error, seen, created}))
                .replaceWithVoid();
    }

    /** Remembers a manifest sync has seen; false when it had seen it before (its import exists). */
    public Uni<Boolean> seen(SqlClient client, String location, String key, UUID job, long now) {
        return client.preparedQuery("""
                        INSERT INTO location_manifests (location, key, job_id, seen_at) VALUES ($1, $2, $3, $4)
                        ON CONFLICT DO NOTHING RETURNING 1""")
                .execute(Tuple.of(location, key, job, now))
                .map(rows -> rows.size() == 1);
    }

    private static Status status(Row r) {
        return new Status(
                r.getString("location"),
                r.getLong("last_sync_at"),
                r.getString("last_sync_error"),
                r.getLong("manifests_seen"),
                r.getLong("jobs_created"));
    }
}
