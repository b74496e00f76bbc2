package dev.cafstate.runtime.repository;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.json.Json;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.runtime.api.Counts;
import dev.cafstate.runtime.api.ExecutionStatus;
import dev.cafstate.runtime.api.ExecutionView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Execution rows: identity, status, metadata, progress counters and the state version. */
@ApplicationScoped
public class ExecutionRepository {

    static final String COLUMNS = """
            id, agent_id, agent_name, status, started_at, ended_at, current_checkpoint_id, metadata::text,
            step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms,
            step_count, message_count, tool_call_count, version""";

    private final Pool pool;
    private final Json json;

    public ExecutionRepository(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /** Inserts a new execution inside the caller's transaction; 409 when the id is taken. */
    public Uni<Void> insert(SqlConnection conn, Tenant tenant, String id, String agentId, String agentName,
            String metadata, long now) {
        return conn.preparedQuery("""
                INSERT INTO executions (tenant, id, agent_id, agent_name, status, metadata, started_at, updated_at)
                VALUES ($1, $2, $3, $4, 'running', $5::text::json, $6, $6)
                ON CONFLICT DO NOTHING RETURNING 1""")
                .execute(Tuple.from(new Object[] { tenant.id(), id, agentId, agentName, metadata, now }))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new StateConflict("execution '" + id + "' already exists");
                    }
                    return null;
                });
    }


    /** The execution, or 404. */
    public Uni<ExecutionView> get(Tenant tenant, String id) {
        return get(pool, tenant, id, false);
    }

    /** The execution read through {@code client}, optionally locked for update; 404 when unknown. */
    public Uni<ExecutionView> get(SqlClient client, Tenant tenant, String id, boolean forUpdate) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM executions WHERE tenant = $1 AND id = $2"
                + (forUpdate ? " FOR UPDATE" : ""))
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("execution '" + id + "' does not exist");
                    }
                    return map(rows.iterator().next());
                });
    }

    /** A page of executions, newest first, after the keyset position {@code (afterStart, afterId)} if given. */
    public Uni<List<ExecutionView>> list(Tenant tenant, String agentId, ExecutionStatus status, Long afterStart,
            String afterId, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + """
                 FROM executions WHERE tenant = $1
                  AND ($2::text IS NULL OR agent_id = $2)
                  AND ($3::text IS NULL OR status = $3)
                  AND ($4::bigint IS NULL OR (started_at, id) < ($4, $5))
                ORDER BY started_at DESC, id DESC LIMIT $6""")
                .execute(Tuple.from(new Object[] { tenant.id(), agentId, status == null ? null : status.wire(), afterStart,
                        afterId, limit }))
                .map(rows -> {
                    List<ExecutionView> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(map(r)));
                    return list;
                });
    }

    /** Writes status, end time and metadata of a locked execution and bumps its version; returns the new version. */
    public Uni<Long> update(SqlConnection conn, Tenant tenant, String id, ExecutionStatus status, Long endedAt,
            String metadata, long now) {
        return conn.preparedQuery("""
                UPDATE executions SET status = $3, ended_at = $4, metadata = $5::text::json, updated_at = $6,
                  version = version + 1
                WHERE tenant = $1 AND id = $2 RETURNING version""")
                .execute(Tuple.from(new Object[] { tenant.id(), id, status.wire(), endedAt, metadata, now }))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Writes progress counters of a locked execution (the bump already happened in this change). */
    public Uni<Void> updateProgress(SqlConnection conn, Tenant tenant, String id, ExecutionProgress p) {
        return conn.preparedQuery("""
                UPDATE executions SET step_number = $3, total_steps_estimate = $4, iterations_completed = $5,
                  tokens_used = $6, duration_ms = $7
                WHERE tenant = $1 AND id = $2""")
                .execute(Tuple.from(new Object[] { tenant.id(), id, p.stepNumber(), p.totalStepsEstimate(),
                        p.iterationsCompleted(), p.tokensUsed(), p.durationMs() }))
                .replaceWithVoid();
    }

    /** Deletes an execution and (by cascade) its runtime parts; false when there was none to delete. */
    public Uni<Boolean> delete(SqlConnection conn, Tenant tenant, String id) {
        return conn.preparedQuery("DELETE FROM executions WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> rows.rowCount() > 0);
    }

    ExecutionView map(Row r) {
        ExecutionProgress progress = new ExecutionProgress(r.getLong("step_number"),
                r.getLong("total_steps_estimate"), r.getLong("iterations_completed"), r.getLong("tokens_used"),
                r.getDouble("duration_ms"));
        return new ExecutionView(r.getString("id"), r.getString("agent_id"), r.getString("agent_name"),
                ExecutionStatus.of(r.getString("status")), r.getLong("started_at"), r.getLong("ended_at"),
                r.getString("current_checkpoint_id"), progress,
                new Counts(r.getLong("step_count"), r.getLong("message_count"), r.getLong("tool_call_count")),
                json.readObject(r.getString("metadata")), r.getLong("version"));
    }
}
