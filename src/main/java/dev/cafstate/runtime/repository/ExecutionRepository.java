package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.common.db.Columns;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.error.HandedOff;
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
import dev.cafstate.transfer.handoff.HandoffRepository;
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

    /** An execution this cluster may write: it owns it, and no handoff of it is under way. */
    static final String WRITABLE = "owner_cluster IS NULL AND handoff_id IS NULL";

    /** The columns of {@link ExecutionView}, by the names {@link #view} reads. */
    static final String VIEW_COLUMNS = """
            id, agent_id, agent_name, status, started_at, ended_at, current_checkpoint_id, metadata::text AS metadata,
            step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms, step_count,
            message_count, tool_call_count, version, epoch, owner_cluster, handoff_id::text AS handoff_id""";

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
     * again. Only an execution this cluster writes is restored, unless {@code :resume_epoch} is given: then it is the
     * target of a handoff taking the execution over at that epoch, which it does only when its own epoch is lower (a
     * late or repeated handoff changes nothing). No row: nothing was restored.
     */
    static final Statement RESTORE =
            Statement.of("""
            WITH e AS (
              INSERT INTO executions AS x (tenant, id, agent_id, agent_name, status, started_at, updated_at, version,
                parent_checkpoint_id, parent_is_branch, current_checkpoint_id, epoch, %s)
              VALUES (:tenant, :execution, :agent_id, :agent_name, 'running', :now, :now, 2, :checkpoint, false,
                :checkpoint, COALESCE(:resume_epoch::bigint, 1), %s)
              ON CONFLICT (tenant, id) DO UPDATE SET status = 'running', ended_at = NULL, version = x.version + 1,
                updated_at = EXCLUDED.updated_at, parent_checkpoint_id = EXCLUDED.parent_checkpoint_id,
                parent_is_branch = false, current_checkpoint_id = EXCLUDED.current_checkpoint_id,
                step_count = EXCLUDED.step_count, message_count = EXCLUDED.message_count,
                tool_call_count = EXCLUDED.tool_call_count, current_step_id = EXCLUDED.current_step_id,
                variables = EXCLUDED.variables, last_tool_call_id = EXCLUDED.last_tool_call_id,
                step_number = EXCLUDED.step_number, total_steps_estimate = EXCLUDED.total_steps_estimate,
                iterations_completed = EXCLUDED.iterations_completed, tokens_used = EXCLUDED.tokens_used,
                duration_ms = EXCLUDED.duration_ms, epoch = COALESCE(:resume_epoch::bigint, x.epoch),
                owner_cluster = NULL, handoff_id = NULL
              WHERE (:resume_epoch::bigint IS NULL AND x.owner_cluster IS NULL AND x.handoff_id IS NULL)
                OR x.epoch < :resume_epoch::bigint
              RETURNING *),
            %s
            SELECT %s FROM e""".formatted(HEAD_COLUMNS, HEAD_VALUES, OutboxRepository.insertCte("e"), VIEW_COLUMNS));

    /** The version bump that opens a multi-statement change (see {@link Mutations#inTransaction}). */
    static final Statement BUMP = Statement.of("""
            UPDATE executions SET version = version + 1, updated_at = :now
            WHERE tenant = :tenant AND id = :execution AND status IN %s AND %s
              AND (:expected::bigint[] IS NULL OR version = ANY(:expected))
            RETURNING version""".formatted(LIVE, WRITABLE));

    /**
     * CTE {@code x} of a checkpoint taken from the runtime (after CTE {@code c}, its row): the execution points at it,
     * and its restore or fork parent is consumed.
     */
    public static final String LINK_RUNTIME_CTE = """
            x AS (
              UPDATE executions SET current_checkpoint_id = c.id, parent_checkpoint_id = NULL,
                parent_is_branch = false, updated_at = :now
              FROM c WHERE executions.tenant = :tenant AND executions.id = :execution
              RETURNING 1)""";

    /**
     * CTE {@code x} of a pushed checkpoint (after CTE {@code c}): the execution is made when missing, and points at it.
     * An imported one ({@code :origin_cluster} set) moves the pointer only of an execution kept here as history, and
     * never back to an older checkpoint (imports arrive in any order); an execution this cluster writes keeps its own.
     */
    public static final String LINK_PUSHED_CTE = """
            x AS (
              INSERT INTO executions (tenant, id, agent_id, agent_name, status, started_at, updated_at,
                current_checkpoint_id, owner_cluster)
              SELECT :tenant, :execution, :agent_id, :agent_name, 'running', :ts, :now, c.id, :origin_cluster FROM c
              ON CONFLICT (tenant, id) DO UPDATE SET current_checkpoint_id = EXCLUDED.current_checkpoint_id,
                updated_at = EXCLUDED.updated_at
              WHERE EXCLUDED.owner_cluster IS NULL
                OR (executions.owner_cluster IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM checkpoints p WHERE p.tenant = executions.tenant
                    AND p.id = executions.current_checkpoint_id AND p.ts > :ts))
              RETURNING 1)""";

    /**
     * Whether execution {@code :execution} of {@code :tenant} is another cluster's (it is kept here as history) or is
     * being handed off: then this cluster writes nothing of it.
     */
    public static final String FENCED = """
            EXISTS (SELECT 1 FROM executions f WHERE f.tenant = :tenant AND f.id = :execution
              AND (f.owner_cluster IS NOT NULL OR f.handoff_id IS NOT NULL))""";

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
                  WHERE tenant = :tenant AND id = :execution AND status IN %s AND %s
                    AND (:expected::bigint[] IS NULL OR version = ANY(:expected))
                  RETURNING version, step_count, message_count, tool_call_count)""".formatted(extra, LIVE, WRITABLE);
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
            Long resumeEpoch,
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
                        .put("resume_epoch", resumeEpoch)
                        .put("events", events),
                head);
        return RESTORE.run(conn, p).flatMap(rows -> {
            if (rows.size() == 1) {
                return Uni.createFrom().item(view(Columns.of(rows.iterator().next())));
            }
            return resumeEpoch != null ? Uni.createFrom().nullItem() : whyNot(conn, tenant, id, null);
        });
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

    /**
     * The progress change in one statement, as a compare-and-set: the counters (already merged and checked against
     * what was read at {@code :expected}, the version they were read at) are written with the version bump and the
     * change's events. No row when the execution moved on or is no longer writable.
     */
    static final Statement SET_PROGRESS = Statement.of("""
            WITH %s,
            %s
            SELECT e.version FROM e""".formatted(
                    bumpCte("step_number = :step_number, total_steps_estimate = :total_steps_estimate,"
                            + " iterations_completed = :iterations_completed, tokens_used = :tokens_used,"
                            + " duration_ms = :duration_ms"),
                    OutboxRepository.insertCte("e")));

    /** The progress counters of an execution and the version they are at, read without a lock. */
    public record ProgressAt(long version, ExecutionProgress progress) {}

    /** The execution's progress as it is now (no lock); null when the execution does not exist. */
    public Uni<ProgressAt> progress(Tenant tenant, String id) {
        return pool.preparedQuery("""
                        SELECT version, step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms
                        FROM executions WHERE tenant = $1 AND id = $2""")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> rows.size() == 0
                        ? null
                        : progressAt(Columns.of(rows.iterator().next())));
    }

    /**
     * Writes progress {@code p}, computed from the counters read at version {@code readVersion}, with its events, if
     * the execution is still at that version and writable; the new version, or null when it is not.
     */
    public Uni<Long> setProgress(
            Tenant tenant, String id, long readVersion, ExecutionProgress p, String events, long now) {
        Params params = Params.of()
                .put("tenant", tenant.id())
                .put("execution", id)
                .put("now", now)
                .put("expected", new Long[] {readVersion})
                .put("events", events)
                .put("step_number", p.stepNumber())
                .put("total_steps_estimate", p.totalStepsEstimate())
                .put("iterations_completed", p.iterationsCompleted())
                .put("tokens_used", p.tokensUsed())
                .put("duration_ms", p.durationMs());
        return SET_PROGRESS
                .run(pool, params)
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("version"));
    }

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

    /** What starting a handoff found: the status the execution had (it is paused now) and its epoch. */
    public record Fenced(ExecutionStatus previousStatus, long epoch) {}

    /**
     * Fences a live execution this cluster writes for a handoff: paused, and written by nothing but the handoff; null
     * when it is not such an execution (see {@link #whyNot}).
     */
    public Uni<Fenced> fence(SqlConnection conn, Tenant tenant, String id, UUID handoffId, long now) {
        return conn.preparedQuery("""
                        UPDATE executions x SET handoff_id = $3, status = 'paused', version = x.version + 1,
                          updated_at = $4
                        FROM (SELECT status AS previous FROM executions WHERE tenant = $1 AND id = $2 FOR UPDATE) o
                        WHERE x.tenant = $1 AND x.id = $2 AND x.owner_cluster IS NULL AND x.handoff_id IS NULL
                          AND x.status IN %s
                        RETURNING o.previous, x.epoch""".formatted(LIVE))
                .execute(Tuple.of(tenant.id(), id, handoffId, now))
                .map(rows -> rows.size() == 0
                        ? null
                        : new Fenced(
                                ExecutionStatus.of(rows.iterator().next().getString("previous")),
                                rows.iterator().next().getLong("epoch")));
    }

    /** The handoff was acknowledged: the execution is the target's from this epoch on, kept here as history. */
    public Uni<Void> handedOff(
            SqlConnection conn, Tenant tenant, String id, UUID handoffId, String owner, long epoch, long now) {
        return conn.preparedQuery("""
                        UPDATE executions SET handoff_id = NULL, owner_cluster = $4, epoch = $5, updated_at = $6
                        WHERE tenant = $1 AND id = $2 AND handoff_id = $3""")
                .execute(Tuple.from(new Object[] {tenant.id(), id, handoffId, owner, epoch, now}))
                .replaceWithVoid();
    }

    /** The handoff was aborted: this cluster writes the execution again, in the status it had before. */
    public Uni<Boolean> unfence(
            SqlConnection conn, Tenant tenant, String id, UUID handoffId, ExecutionStatus status, long now) {
        return conn.preparedQuery("""
                        UPDATE executions SET handoff_id = NULL, status = $4, version = version + 1, updated_at = $5
                        WHERE tenant = $1 AND id = $2 AND handoff_id = $3
                        RETURNING 1""")
                .execute(Tuple.from(new Object[] {tenant.id(), id, handoffId, status.wire(), now}))
                .map(rows -> rows.size() == 1);
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

    /** The facts {@link #whyNot} reads: the execution and its latest handoff, if any. */
    static final Statement WHY = Statement.of("""
            SELECT e.status, e.version, e.epoch, e.owner_cluster, e.handoff_id::text AS handoff_id, h.location,
              h.target_cluster, h.final_checkpoint_id, h.state AS handoff_state
            FROM executions e LEFT JOIN LATERAL (%s) h ON true
            WHERE e.tenant = :tenant AND e.id = :execution""".formatted(HandoffRepository.LATEST_OF_E));

    /**
     * Why a change found no live execution at the expected version: 404, 409 (finished, or written by another
     * cluster: see {@link HandedOff}) or 412.
     */
    public <T> Uni<T> whyNot(SqlClient client, Tenant tenant, String id, IfMatch expected) {
        return WHY.run(client, Params.of().put("tenant", tenant.id()).put("execution", id))
                .map(rows -> {
                    throw why(rows, id, expected);
                });
    }

    private static ApiException why(RowSet<Row> rows, String id, IfMatch expected) {
        if (rows.size() == 0) {
            return new ResourceNotFound("execution '" + id + "' does not exist");
        }
        Row row = rows.iterator().next();
        if (row.getString("handoff_id") != null || row.getString("owner_cluster") != null) {
            return handedOff(id, row);
        }
        if (expected != null && !expected.matches(row.getLong("version"))) {
            return new StaleVersion(
                    "execution '" + id + "' is at version " + row.getLong("version") + "; If-Match names " + expected);
        }
        return new StateConflict(
                "execution '" + id + "' is " + row.getString("status") + "; its runtime state can no longer change");
    }

    private static HandedOff handedOff(String id, Row row) {
        boolean inProgress = row.getString("handoff_id") != null;
        Map<String, Object> handoff = new LinkedHashMap<>();
        String owner = row.getString("owner_cluster");
        if (row.getString("handoff_state") != null) {
            handoff.put("location", row.getString("location"));
            handoff.put("target_cluster", row.getString("target_cluster"));
            handoff.put("checkpoint_id", row.getString("final_checkpoint_id"));
            handoff.put("state", row.getString("handoff_state"));
        }
        if (owner != null) {
            handoff.put("owner_cluster", owner);
        }
        handoff.put("epoch", row.getLong("epoch"));
        String detail = inProgress
                ? "execution '" + id + "' is being handed off to cluster " + handoff.get("target_cluster")
                        + "; it is not written here meanwhile"
                : "execution '" + id + "' belongs to cluster " + owner + "; this cluster keeps it as history";
        return new HandedOff(detail, handoff, inProgress);
    }

    /** The execution row's part of the runtime snapshot (read inside the snapshot's transaction). */
    static final Statement HEAD = Statement.of("""
            SELECT version, agent_id, agent_name, parent_checkpoint_id, parent_is_branch, current_step_id,
              variables::text AS variables, last_tool_call_id, step_number, total_steps_estimate,
              iterations_completed, tokens_used, duration_ms, owner_cluster, handoff_id::text AS handoff_id
            FROM executions WHERE tenant = :tenant AND id = :execution""");

    /** The snapshot's execution row through {@code client}; 404 when the execution does not exist. */
    Uni<Columns> head(SqlClient client, Tenant tenant, String id) {
        return HEAD.run(client, Params.of().put("tenant", tenant.id()).put("execution", id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("execution '" + id + "' does not exist");
                    }
                    return Columns.each(rows).iterator().next();
                });
    }

    private static ProgressAt progressAt(Columns c) {
        return new ProgressAt(c.int64("version"), progress(c));
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
                c.int64("version"),
                c.int64("epoch"),
                c.text("owner_cluster"),
                c.text("handoff_id"));
    }
}
