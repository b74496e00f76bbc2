package dev.cafstate.transfer.job;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every statement on {@code transfer_queue}: new checkpoints waiting for their automatic export. They are queued by
 * the very statement that writes a checkpoint's rows ({@link #ENQUEUE_CTE}), so none is missed whatever order writes
 * commit in, and taken off the queue in the transaction that makes their export job.
 */
@ApplicationScoped
public class TransferQueueRepository {

    /** CTE {@code q} after CTE {@code c} (the new checkpoint row): one entry per location in {@code :auto_export}. */
    public static final String ENQUEUE_CTE = """
            q AS (
              INSERT INTO transfer_queue (location, tenant, checkpoint_id, created_at)
              SELECT loc, :tenant, c.id, :now FROM c, unnest(:auto_export::text[]) AS loc
              ON CONFLICT DO NOTHING)""";

    /** A queued checkpoint. */
    public record Queued(String location, Tenant tenant, String checkpointId) {}

    /** Takes up to {@code limit} queued checkpoints of one location off the queue, inside the caller's transaction. */
    public Uni<List<Queued>> take(SqlConnection conn, String location, int limit) {
        return conn.preparedQuery("""
                        DELETE FROM transfer_queue WHERE (location, tenant, checkpoint_id) IN (
                          SELECT location, tenant, checkpoint_id FROM transfer_queue WHERE location = $1
                          ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                        RETURNING location, tenant, checkpoint_id""").execute(Tuple.of(location, limit)).map(rows -> {
            List<Queued> list = new ArrayList<>(rows.size());
            rows.forEach(r -> list.add(new Queued(
                    r.getString("location"), Tenant.of(r.getString("tenant")), r.getString("checkpoint_id"))));
            return list;
        });
    }
}
