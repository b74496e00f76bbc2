package dev.cafstate.transfer.handoff;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.Columns;
import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Every statement on {@code handoffs} (migration V10). */
@ApplicationScoped
public class HandoffRepository {

    /** The latest handoff of execution row {@code e} (for the 409 that names where an execution went). */
    public static final String LATEST_OF_E = """
            SELECT location, target_cluster, final_checkpoint_id, state FROM handoffs
            WHERE tenant = e.tenant AND execution_id = e.id ORDER BY created_at DESC LIMIT 1""";

    private static final String COLUMNS = """
            id::text AS id, tenant, execution_id, location, target_cluster, epoch, state, previous_status,
            final_checkpoint_id, export_job_id::text AS export_job_id, manifest_key, expires_at, error, created_at,
            updated_at, outcome_published""";

    private final Pool pool;

    public HandoffRepository(Pool pool) {
        this.pool = pool;
    }

    /** Records a new handoff inside the transaction that fences its execution. */
    public Uni<Void> insert(SqlClient client, Handoff h) {
        return client.preparedQuery("""
                        INSERT INTO handoffs (id, tenant, execution_id, location, target_cluster, epoch, state,
                          previous_status, created_at, updated_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)""")
                .execute(Tuple.from(new Object[] {
                    h.id(),
                    h.tenant().id(),
                    h.executionId(),
                    h.location(),
                    h.targetCluster(),
                    h.epoch(),
                    h.state(),
                    h.previousStatus(),
                    h.createdAt()
                }))
                .replaceWithVoid();
    }

    public Uni<Handoff> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM handoffs WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : handoff(rows.iterator().next()));
    }

    /**
     * Handoffs the worker advances: requested, exporting, awaiting an acknowledgement, failed after its manifest may
     * have been written (the target may still acknowledge), and decisions whose outcome is not yet published.
     */
    public Uni<List<Handoff>> open(int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + """
                         FROM handoffs
                        WHERE state IN ('requested', 'exporting', 'awaiting_ack')
                          OR (state = 'failed' AND expires_at IS NOT NULL) OR NOT outcome_published
                        ORDER BY updated_at LIMIT $1""")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Handoff> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(handoff(r)));
                    return list;
                });
    }

    /** requested -> exporting, with the final checkpoint and the export job; false when it was not requested. */
    public Uni<Boolean> exporting(UUID id, String finalCheckpointId, UUID jobId, long now) {
        return pool.preparedQuery("""
                        UPDATE handoffs SET state = 'exporting', final_checkpoint_id = $2, export_job_id = $3,
                          updated_at = $4
                        WHERE id = $1 AND state = 'requested' RETURNING 1""")
                .execute(Tuple.of(id, finalCheckpointId, jobId, now))
                .map(rows -> rows.size() == 1);
    }

    /**
     * The expiry a manifest about to be written carries, recorded before it is written (never moved earlier: the
     * source must not abort before any manifest it wrote expired); null when the handoff is no longer exporting.
     */
    public Uni<Long> expiresBy(UUID id, long expiresAt, long now) {
        return pool.preparedQuery("""
                        UPDATE handoffs SET expires_at = GREATEST(COALESCE(expires_at, 0), $2), updated_at = $3
                        WHERE id = $1 AND state = 'exporting' RETURNING expires_at""")
                .execute(Tuple.of(id, expiresAt, now))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("expires_at"));
    }

    /** exporting -> awaiting_ack once the manifest is written. */
    public Uni<Boolean> awaitingAck(SqlClient client, UUID id, String manifestKey, long expiresAt, long now) {
        return client.preparedQuery("""
                        UPDATE handoffs SET state = 'awaiting_ack', manifest_key = $2,
                          expires_at = GREATEST(COALESCE(expires_at, 0), $3), updated_at = $4
                        WHERE id = $1 AND state = 'exporting' RETURNING 1""")
                .execute(Tuple.of(id, manifestKey, expiresAt, now))
                .map(rows -> rows.size() == 1);
    }

    /** Moves a handoff from one of {@code from} to {@code to}; false when it was in none of them. */
    public Uni<Boolean> move(SqlClient client, UUID id, List<String> from, String to, String error, long now) {
        return client.preparedQuery("""
                        UPDATE handoffs SET state = $3, error = COALESCE($4, error), updated_at = $5
                        WHERE id = $1 AND state = ANY($2) RETURNING 1""")
                .execute(Tuple.from(new Object[] {id, from.toArray(String[]::new), to, error, now}))
                .map(rows -> rows.size() == 1);
    }

    /**
     * Moves a handoff whose manifest may be in the target's hands to a decision ({@code completed} or
     * {@code aborted}) whose outcome is still to be published into the location.
     */
    public Uni<Boolean> decide(SqlClient client, UUID id, List<String> from, String to, long now) {
        return client.preparedQuery("""
                        UPDATE handoffs SET state = $3, outcome_published = false, updated_at = $4
                        WHERE id = $1 AND state = ANY($2) RETURNING 1""")
                .execute(Tuple.from(new Object[] {id, from.toArray(String[]::new), to, now}))
                .map(rows -> rows.size() == 1);
    }

    /** The decision's outcome object is in the location. */
    public Uni<Void> published(UUID id, long now) {
        return pool.preparedQuery("UPDATE handoffs SET outcome_published = true, updated_at = $2 WHERE id = $1")
                .execute(Tuple.of(id, now))
                .replaceWithVoid();
    }

    /** Marks a handoff as looked at (the worker goes round the open ones in order). */
    public Uni<Void> touch(UUID id, long now) {
        return pool.preparedQuery("UPDATE handoffs SET updated_at = $2 WHERE id = $1")
                .execute(Tuple.of(id, now))
                .replaceWithVoid();
    }

    private static Handoff handoff(Row r) {
        Columns c = Columns.of(r);
        return new Handoff(
                UUID.fromString(c.text("id")),
                Tenant.of(c.text("tenant")),
                c.text("execution_id"),
                c.text("location"),
                c.text("target_cluster"),
                c.int64("epoch"),
                c.text("state"),
                c.text("previous_status"),
                c.text("final_checkpoint_id"),
                c.text("export_job_id") == null ? null : UUID.fromString(c.text("export_job_id")),
                c.text("manifest_key"),
                c.int64("expires_at"),
                c.text("error"),
                c.int64("created_at"),
                c.int64("updated_at"),
                c.bool("outcome_published"));
    }
}
