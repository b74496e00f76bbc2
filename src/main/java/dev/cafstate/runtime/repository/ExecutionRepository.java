package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.common.db.Columns;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StaleVersion;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.events.OutboxRepository;
import dev.cafstate.runtime.api.Counts;
import dev.cafstate.runtime.api.ExecutionStatus;
import dev.cafstate.runtime.api.ExecutionView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every statement on {@code executions}: identity, status, metadata, progress, the state version, the runtime head
 * (counters, current step, variables, last tool call) and the checkpoint pointers. Other repositories compose its
 * fragments ({@link #bumpCte}, {@link #LINK_RUNTIME_CTE}, {@link #LINK_PUSHED_CTE}) into their single-statement
 * changes; nothing else writes SQL on this table.
 */
@ApplicationScoped
public class ExecutionRepository {

    /** Statuses in which the runtime parts may change. */
    static final String LIVE = "('pending', 'running', 'paused')";

    /** The columns of {@link ExecutionView}, by the names {@link #view} reads. */
    static final String VIEW_COLUMNS = """
            id, agent_id, agent_name, status, started_at, ended_at, current_checkpoint_id, metadata::text AS metadata,
            step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms, step_count,
            message_count, tool_call_count, version""";

    private static final String HEAD_COLUMNS = """
            step_count, message_count, tool_call_count, current_step_id, variables, last_tool_call_id, step_number,
            total_steps_estimate, iterations_completed, tokens_used, duration_ms""";

    private static final String HEAD_VALUES = """
            :step_count, :message_count, :tool_call_count, :current_step_id, :variables::text::json,
            :last_tool_call_id, :step_number, :total_steps_estimate, :iterations_completed, :tokens_used,
            :duration_ms""";

    /**
     * A new execution with its head, and its event ({@code agent.started}); nothing when the id is taken. A fork comes
     * in at version 2 pointing at its checkpoint, as a restore of a new execution would.
     */
    static final Statement CREATE =
            Statement.of("""
            WITH e AS (
              INSERT INTO executions (tenant, id, agent_id, agent_name, status, metadata, started_at, updated_at,
                version, parent_checkpoint_id, parent_is_branch, current_checkpoint_id, %s)
              VALUES (:tenant, :execution, :agent_id, :agent_name, 'running', :metadata::text::json, :now, :now,
                :version, :parent_checkpoint_id, :parent_is_branch, :current_checkpoint_id, %s)
              ON CONFLICT DO NOTHING
              RETURNING *),
            %s
            SELECT %s FROM e""".formatted(HEAD_COLUMNS, HEAD_VALUES, OutboxRepository.insertCte("e"), VIEW_COLUMNS));

    /**
     * An in-place restore's execution row: running again from checkpoint {@code :checkpoint} (the parent of its next
     * checkpoint), its head replaced, its version bumped, and {@code agent.resumed}. A deleted execution is made
     * again.
     */
    static final Statement RESTORE =
            Statement.of("""
            WITH e AS (
              INSERT INTO executions AS x (tenant, id, agent_id, agent_name, status, started_at, updated_at, version,
                parent_checkpoint_id, parent_is_branch, current_checkpoint_id, %s)
              VALUES (:tenant, :execution, :agent_id, :agent_name, 'running', :now, :now, 2, :checkpoint, false,
                :checkpoint, %s)
              ON CONFLICT (tenant, id) DO UPDATE SET status = 'running', ended_at = NULL, version = x.version + 1,
                updated_at = EXCLUDED.updated_at, parent_checkpoint_id = EXCLUDED.parent_checkpoint_id,
                parent_is_branch = false, current_checkpoint_id = EXCLUDED.current_checkpoint_id,
                step_count = EXCLUDED.step_count, message_count = EXCLUDED.message_count,
                tool_call_count = EXCLUDED.tool_call_count, current_step_id = EXCLUDED.current_step_id,
                variables = EXCLUDED.variables, last_tool_call_id = EXCLUDED.last_tool_call_id,
                step_number = EXCLUDED.step_number, total_steps_estimate = EXCLUDED.total_steps_estimate,
                iterations_completed = EXCLUDED.iterations_completed, tokens_used = EXCLUDED.tokens_used,
                duration_ms = EXCLUDED.duration_ms
              RETURNING *),
            %s
            SELECT %s FROM e""".formatted(HEAD_COLUMNS, HEAD_VALUES, OutboxRepository.insertCte("e"), VIEW_COLUMNS));

    /** The version bump that opens a multi-statement change (see {@link Mutations#inTransaction}). */
    static final Statement BUMP = Statement.of("""
            UPDATE executions SET version = version + 1, updated_at = :now
            WHERE tenant = :tenant AND id = :execution AND status IN %s
              AND (:expected::bigint[] IS NULL OR version = ANY(:expected))
            RETURNING version""".formatted(LIVE));

    /**
     * CTE {@code x} of a checkpoint taken from the runtime (after CTE {@code c}, its row): the execution points at it,
     * and its restore or fork parent is consumed.
     */
    public static final String LINK_RUNTIME_CTE = """
            x AS (
              UPDATE executions SET current_checkpoint_id = c.id, parent_checkpoint_id = NULL,
                parent_is_branch = false, updated_at = :now
              FROM c WHERE executions.tenant = :tenant AND executions.id = :execution)""";

    /**
     * CTE {@code x} of a pushed checkpoint (after CTE {@code c}): the execution is made when missing, and points at it.
     */
    public static final String LINK_PUSHED_CTE = """
            x AS (
              INSERT INTO executions (tenant, id, agent_id, agent_name, status, started_at, updated_at,
                current_checkpoint_id)
              SELECT :tenant, :execution, :agent_id, :agent_name, 'running', :ts, :now, c.id FROM c
              ON CONFLICT (tenant, id) DO UPDATE SET current_checkpoint_id = EXCLUDED.current_checkpoint_id,
                updated_at = EXCLUDED.updated_at)""";

    private final Pool pool;
    private final Json json;

    public ExecutionRepository(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /**
     * CTE {@code e}: a single-statement change's version bump (with extra assignments, e.g. counters, when given),
     * only while the execution is live and, with {@code :expected}, at one of the expected versions. Parameters
     * {@code :tenant, :execution, :now, :expected}.
     */
    public static String bumpCte(String extraSet) {
        String extra = extraSet.isEmpty() ? "" : ", " + extraSet;
        return """
                e AS (
                  UPDATE executions SET version = version + 1, updated_at = :now%s
                  WHERE tenant = :tenant AND id = :execution AND status IN %s
                    AND (:expected::bigint[] IS NULL OR version = ANY(:expected))
                  RETURNING version, step_count, message_count, tool_call_count)""".formatted(extra, LIVE);
    }

    /** The parameters of {@link #CREATE} and {@link #RESTORE} that carry the head. */
    private static Params head(Params p, RuntimeHead h) {
        ExecutionProgress progress = h.progress();
        return p.put("step_count", h.stepCount())
                .put("message_count", h.messageCount())
                .put("tool_call_count", h.toolCallCount())
                .put("current_step_id", h.currentStepId())
                .put("variables", h.variables())
                .put("last_tool_call_id", h.lastToolCallId())
                .put("step_number", progress.stepNumber())
                .put("total_steps_estimate", progress.totalStepsEstimate())
                .put("iterations_completed", progress.iterationsCompleted())
                .put("tokens_used", progress.tokensUsed())
                .put("duration_ms", progress.durationMs());
    }

    /** A new execution to create. {@code parentCheckpointId} names the checkpoint a fork starts from, else null. */
    public record NewExecution(
            String id,
            String agentId,
            String agentName,
            String metadata,
            RuntimeHead head,
            String parentCheckpointId) {}

    /**
     * Inserts a new execution with its head and its event (JSON array) through {@code client}; 409 when the id is
     * taken.
     */
    public Uni<ExecutionView> create(SqlClient client, Tenant tenant, NewExecution n, String events, long now) {
        boolean fork = n.parentCheckpointId() != null;
        Params p = head(
                Params.of()
                        .put("tenant", tenant.id())
                        .put("execution", n.id())
                        .put("agent_id", n.agentId())
                        .put("agent_name", n.agentName())
                        .put("metadata", n.metadata())
                        .put("now", now)
                        .put("version", fork ? 2L : 1L)
                        .put("parent_checkpoint_id", n.parentCheckpointId())
                        .put("parent_is_branch", fork)
                        .put("current_checkpoint_id", n.parentCheckpointId())
                        .put("events", events),
                n.head());
        return CREATE.run(client, p).map(rows -> {
            if (rows.size() == 0) {
                throw new StateConflict("execution '" + n.id() + "' already exists");
            }
            return view(Columns.of(rows.iterator().next()));
        });
    }

    /** Points a locked-for-restore execution at its checkpoint with the restored head (see {@link #RESTORE}). */
    public Uni<ExecutionView> restore(
            SqlConnection conn,
            Tenant tenant,
            String id,
            String agentId,
            String agentName,
            String checkpointId,
            RuntimeHead head,
            String events,
            long now) {
        Params p = head(
                Params.of()
                        .put("tenant", tenant.id())
                        .put("execution", id)
                        .put("agent_id", agentId)
                        .put("agent_name", agentName)
                        .put("now", now)
                        .put("checkpoint", checkpointId)
                        .put("events", events),
                head);
        return RESTORE.run(conn, p).map(rows -> view(Columns.of(rows.iterator().next())));
    }

    /** The execution, or 404. */
    public Uni<ExecutionView> get(Tenant tenant, String id) {
        return get(pool, tenant, id, false);
    }

    /** The execution read through {@code client}, optionally locked for update; 404 when unknown. */
    public Uni<ExecutionView> get(SqlClient client, Tenant tenant, String id, boolean forUpdate) {
        return client.preparedQuery("SELECT " + VIEW_COLUMNS + " FROM executions WHERE tenant = $1 AND id = $2"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("execution '" + id + "' does not exist");
                    }
                    return view(Columns.of(rows.iterator().next()));
                });
    }

    /** A page of executions, newest first, after the keyset position {@code (afterStart, afterId)} if given. */
    public Uni<List<ExecutionView>> list(
            Tenant tenant, String agentId, ExecutionStatus status, Long afterStart, String afterId, int limit) {
        return pool.preparedQuery("SELECT " + VIEW_COLUMNS + """
                 FROM executions WHERE tenant = $1
                  AND ($2::text IS NULL OR agent_id = $2)
                  AND ($3::text IS NULL OR status = $3)
                  AND ($4::bigint IS NULL OR (started_at, id) < ($4, $5))
                ORDER BY started_at DESC, id DESC LIMIT $6""")
                .execute(Tuple.from(new Object[] {
                    tenant.id(), agentId, status == null ? null : status.wire(), afterStart, afterId, limit
                }))
                .map(rows -> {
                    List<ExecutionView> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(view(Columns.of(r))));
                    return list;
                });
    }

    /**
     * Writes status, end time and metadata of a locked execution, bumps its version and records its event (JSON
     * array); returns the execution as it now is.
     */
    public Uni<ExecutionView> update(
            SqlConnection conn,
            Tenant tenant,
            String id,
            ExecutionStatus status,
            Long endedAt,
            String metadata,
            String events,
            long now) {
        return UPDATE.run(
                        conn,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", id)
                                .put("status", status.wire())
                                .put("ended_at", endedAt)
                                .put("metadata", metadata)
                                .put("now", now)
                                .put("events", events))
                .map(rows -> view(Columns.of(rows.iterator().next())));
    }

    static final Statement UPDATE = Statement.of("""
            WITH e AS (
              UPDATE executions SET status = :status, ended_at = :ended_at, metadata = :metadata::text::json,
                updated_at = :now, version = version + 1
              WHERE tenant = :tenant AND id = :execution
              RETURNING *),
            %s
            SELECT %s FROM e""".formatted(OutboxRepository.insertCte("e"), VIEW_COLUMNS));

    /** Writes progress counters of a locked execution (the bump already happened in this change). */
    public Uni<Void> updateProgress(SqlConnection conn, Tenant tenant, String id, ExecutionProgress p) {
        return conn.preparedQuery("""
                UPDATE executions SET step_number = $3, total_steps_estimate = $4, iterations_completed = $5,
                  tokens_used = $6, duration_ms = $7
                WHERE tenant = $1 AND id = $2""")
                .execute(Tuple.from(new Object[] {
                    tenant.id(),
                    id,
                    p.stepNumber(),
                    p.totalStepsEstimate(),
                    p.iterationsCompleted(),
                    p.tokensUsed(),
                    p.durationMs()
                }))
                .replaceWithVoid();
    }

    /** Deletes an execution and (by cascade) its runtime parts; false when there was none to delete. */
    public Uni<Boolean> delete(SqlConnection conn, Tenant tenant, String id) {
        return conn.preparedQuery("DELETE FROM executions WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * Opens a multi-statement change: bumps the version of a live execution at an expected version; otherwise fails
     * as {@link #whyNot} says.
     */
    Uni<Long> bump(SqlConnection conn, Tenant tenant, String id, IfMatch expected, long now) {
        return BUMP.run(
                        conn,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", id)
                                .put("now", now)
                                .put("expected", IfMatch.sql(expected)))
                .flatMap(rows -> rows.size() == 0
                        ? whyNot(conn, tenant, id, expected)
                        : Uni.createFrom().item(rows.iterator().next().getLong("version")));
    }

    /** Why a change found no live execution at the expected version: 404, 409 (finished) or 412. */
    <T> Uni<T> whyNot(SqlClient client, Tenant tenant, String id, IfMatch expected) {
        return client.preparedQuery("SELECT status, version FROM executions WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> {
                    throw why(rows, id, expected);
                });
    }

    private static ApiException why(RowSet<Row> rows, String id, IfMatch expected) {
        if (rows.size() == 0) {
            return new ResourceNotFound("execution '" + id + "' does not exist");
        }
        Row row = rows.iterator().next();
        if (expected != null && !expected.matches(row.getLong("version"))) {
            return new StaleVersion(
                    "execution '" + id + "' is at version " + row.getLong("version") + "; If-Match names " + expected);
        }
        return new StateConflict(
                "execution '" + id + "' is " + row.getString("status") + "; its runtime state can no longer change");
    }

    /**
     * The runtime snapshot in ONE statement (so one consistent view without a transaction): the execution's head and,
     * when asked for, each part as a {@code json_agg} of its rows (see {@link StateReader}).
     */
    static final Statement SNAPSHOT = Statement.of("""
            SELECT e.version, e.agent_id, e.agent_name, e.parent_checkpoint_id, e.parent_is_branch,
              e.current_step_id, e.variables::text AS variables, e.last_tool_call_id, e.step_number,
              e.total_steps_estimate, e.iterations_completed, e.tokens_used, e.duration_ms,
              CASE WHEN :with_chain THEN (%s) END AS thoughts,
              CASE WHEN :with_context THEN (%s) END AS messages,
              CASE WHEN :with_context THEN (%s) END AS memory,
              CASE WHEN :with_tools THEN (%s) END AS tool_calls
            FROM executions e WHERE e.tenant = :tenant AND e.id = :execution""".formatted(
                    ThoughtRepository.ALL_OF_E,
                    ContextRepository.MESSAGES_OF_E,
                    ContextRepository.MEMORY_OF_E,
                    ToolCallRepository.ALL_OF_E));

    /** The snapshot row ({@link #SNAPSHOT}) of the wanted parts; 404 when the execution does not exist. */
    Uni<Row> snapshot(Tenant tenant, String id, boolean chain, boolean context, boolean tools) {
        return SNAPSHOT.run(
                        pool,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", id)
                                .put("with_chain", chain)
                                .put("with_context", context)
                                .put("with_tools", tools))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("execution '" + id + "' does not exist");
                    }
                    return rows.iterator().next();
                });
    }

    /** Progress counters by column name. */
    static ExecutionProgress progress(Columns c) {
        return new ExecutionProgress(
                c.int64("step_number"),
                c.int64("total_steps_estimate"),
                c.int64("iterations_completed"),
                c.int64("tokens_used"),
                c.float8("duration_ms"));
    }

    private ExecutionView view(Columns c) {
        return new ExecutionView(
                c.text("id"),
                c.text("agent_id"),
                c.text("agent_name"),
                ExecutionStatus.of(c.text("status")),
                c.int64("started_at"),
                c.int64("ended_at"),
                c.text("current_checkpoint_id"),
                progress(c),
                new Counts(c.int64("step_count"), c.int64("message_count"), c.int64("tool_call_count")),
                json.readObject(c.text("metadata")),
                c.int64("version"));
    }
}
