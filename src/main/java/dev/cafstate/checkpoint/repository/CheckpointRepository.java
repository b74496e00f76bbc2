package dev.cafstate.checkpoint.repository;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.api.CheckpointToolCallView;
import dev.cafstate.common.db.Columns;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.paging.Sequenced;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.events.OutboxRepository;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.runtime.repository.ThoughtRepository;
import dev.cafstate.transfer.job.TransferQueueRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** The checkpoint catalog in PostgreSQL: rows, normalized thoughts and tool calls, and the query. */
@ApplicationScoped
public class CheckpointRepository {

    static final String SUMMARY_COLUMNS = """
            tenant, id, execution_id, agent_id, ts, checkpoint_reason, step_number, tokens_used, duration_ms,
            parent_checkpoint_id, is_branch, name, description, object_key, sha256, content_sha256, size_bytes,
            schema_version, step_count, tool_call_count, idempotency_key, idempotency_request""";

    /**
     * One statement writes a stored checkpoint's rows, so it needs no transaction: the write claim on its object is
     * released (CTE {@code r}; when the claim is gone, nothing else is written), the checkpoint row is inserted
     * ({@code c}; nothing more when the id or the idempotency key is taken), with its thoughts ({@code t}) and
     * finished tool calls ({@code k}) from arrays built by {@link CatalogRows} (one element per row), the execution
     * points at it ({@code x}), its {@code agent.checkpoint} event goes to the outbox ({@code o}) and it is queued
     * for the locations that export the tenant's new checkpoints ({@code q}). With {@code :guard_fence}, nothing is
     * written for an execution another cluster owns or one being handed off ({@code fenced} says so).
     */
    private static final String INSERT = """
            WITH %s,
            c AS (
              INSERT INTO checkpoints (tenant, id, execution_id, agent_id, agent_name, ts, checkpoint_reason,
                step_number, total_steps_estimate, tokens_used, duration_ms, parent_checkpoint_id, is_branch,
                branch_reason, name, description, object_key, sha256, content_sha256, size_bytes, schema_version,
                document, step_count, tool_call_count, idempotency_key, created_at, idempotency_request,
                origin_cluster)
              SELECT :tenant, :id, :execution, :agent_id, :agent_name, :ts, :reason, :step_number,
                :total_steps_estimate, :tokens_used, :duration_ms, :parent_checkpoint_id, :is_branch, :branch_reason,
                :name, :description, :object_key, :sha256, :content_sha256, :size_bytes, :schema_version, :document,
                :step_count, :tool_call_count, :idempotency_key, :now, :idempotency_request, :origin_cluster
              FROM r
              WHERE NOT (:guard_fence AND %s)
              ON CONFLICT DO NOTHING
              RETURNING id),
            t AS (
              INSERT INTO checkpoint_thoughts (tenant, checkpoint_id, id, seq, type, content, reasoning, confidence,
                parent_id, children_json, alternatives_json, metadata_json, created_at)
              SELECT :tenant, c.id, u.id, u.seq, u.type, u.content, u.reasoning, u.confidence, u.parent_id,
                u.children::jsonb, u.alternatives::json, u.metadata::json, u.ts
              FROM c, unnest(:t_id::text[], :t_seq::int[], :t_type::text[], :t_content::text[],
                :t_reasoning::text[], :t_confidence::float8[], :t_parent_id::text[], :t_children::text[],
                :t_alternatives::text[], :t_metadata::text[], :t_ts::bigint[])
                AS u(id, seq, type, content, reasoning, confidence, parent_id, children, alternatives, metadata, ts)),
            k AS (
              INSERT INTO checkpoint_tool_calls (tenant, checkpoint_id, id, seq, tool_id, status, arguments_json,
                result_json, error, duration_ms, ts, checkpoint_ts)
              SELECT :tenant, c.id, u.id, u.seq, u.tool_id, u.status, u.arguments::json, u.result::json, u.error,
                u.duration_ms, u.ts, :ts
              FROM c, unnest(:k_id::text[], :k_seq::int[], :k_tool_id::text[], :k_status::text[],
                :k_arguments::text[], :k_result::text[], :k_error::text[], :k_duration_ms::float8[],
                :k_ts::bigint[])
                AS u(id, seq, tool_id, status, arguments, result, error, duration_ms, ts)),
            %s,
            %s,
            %s
            SELECT (SELECT count(*) FROM r) AS held, (SELECT count(*) FROM c) AS inserted,
              :guard_fence AND %s AS fenced""";

    /** {@link #INSERT} of a checkpoint taken from the runtime: it consumes the execution's restore or fork parent. */
    static final Statement INSERT_RUNTIME = Statement.of(INSERT.formatted(
            ObjectClaimRepository.RELEASE_CTE,
            ExecutionRepository.FENCED,
            ExecutionRepository.LINK_RUNTIME_CTE,
            OutboxRepository.insertCte("c"),
            TransferQueueRepository.ENQUEUE_CTE,
            ExecutionRepository.FENCED));

    /** {@link #INSERT} of a pushed checkpoint: its execution is made when missing. */
    static final Statement INSERT_PUSHED = Statement.of(INSERT.formatted(
            ObjectClaimRepository.RELEASE_CTE,
            ExecutionRepository.FENCED,
            ExecutionRepository.LINK_PUSHED_CTE,
            OutboxRepository.insertCte("c"),
            TransferQueueRepository.ENQUEUE_CTE,
            ExecutionRepository.FENCED));

    /** The object of a new checkpoint row: where it is, its checksums and size, and its inline copy if small. */
    public record StoredObjectRef(
            String objectKey, String sha256, String contentSha256, long sizeBytes, String inlineDocument) {}

    private final Pool pool;
    private final Json json;

    public CheckpointRepository(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /** What {@link #insert} did: whether the write claim was still held, and whether the row was new. */
    public record Inserted(boolean claimHeld, boolean inserted, boolean fenced) {}

    /** A checkpoint's rows to write: its id, catalog rows, object, idempotency key and request, and write claim. */
    public record NewCheckpoint(
            String id,
            CatalogRows rows,
            StoredObjectRef object,
            String idempotencyKey,
            String idempotencyRequest,
            UUID claim) {}

    /**
     * Where a new checkpoint comes from and goes: the cluster it was imported from (null: made here), whether an
     * execution owned elsewhere or being handed off refuses it, and the locations it is queued for export to.
     */
    public record Provenance(String originCluster, boolean guardFence, List<String> autoExportLocations) {}

    /**
     * Writes a stored checkpoint's rows in one statement ({@link #INSERT_RUNTIME} or {@link #INSERT_PUSHED}) with its
     * event (JSON array).
     */
    public Uni<Inserted> insert(
            Tenant tenant, NewCheckpoint n, Provenance from, boolean fromRuntime, String events, long now) {
        CatalogRows.Header h = n.rows().header();
        List<CatalogRows.Thought> t = n.rows().thoughts();
        List<CatalogRows.ToolCall> k = n.rows().toolCalls();
        StoredObjectRef object = n.object();
        Params p = Params.of()
                .put("tenant", tenant.id())
                .put("id", n.id())
                .put("execution", h.executionId())
                .put("agent_id", h.agentId())
                .put("agent_name", h.agentName())
                .put("ts", h.timestamp())
                .put("reason", h.reason())
                .put("step_number", h.stepNumber())
                .put("total_steps_estimate", h.totalStepsEstimate())
                .put("tokens_used", h.tokensUsed())
                .put("duration_ms", h.durationMs())
                .put("parent_checkpoint_id", h.parentCheckpointId())
                .put("is_branch", h.isBranch())
                .put("branch_reason", h.branchReason())
                .put("name", h.name())
                .put("description", h.description())
                .put("object_key", object.objectKey())
                .put("sha256", object.sha256())
                .put("content_sha256", object.contentSha256())
                .put("size_bytes", object.sizeBytes())
                .put("schema_version", h.schemaVersion())
                .put("document", object.inlineDocument())
                .put("step_count", t.size())
                .put("tool_call_count", k.size())
                .put("idempotency_key", n.idempotencyKey())
                .put("now", now)
                .put("idempotency_request", n.idempotencyRequest())
                .put("claim", n.claim())
                .put("events", events)
                .put("origin_cluster", from.originCluster())
                .put("guard_fence", from.guardFence())
                .put("auto_export", from.autoExportLocations().toArray(String[]::new))
                .put("t_id", t.stream().map(CatalogRows.Thought::id).toArray(String[]::new))
                .put("t_seq", t.stream().map(CatalogRows.Thought::seq).toArray(Integer[]::new))
                .put("t_type", t.stream().map(CatalogRows.Thought::type).toArray(String[]::new))
                .put("t_content", t.stream().map(CatalogRows.Thought::content).toArray(String[]::new))
                .put(
                        "t_reasoning",
                        t.stream().map(CatalogRows.Thought::reasoning).toArray(String[]::new))
                .put(
                        "t_confidence",
                        t.stream().map(CatalogRows.Thought::confidence).toArray(Double[]::new))
                .put(
                        "t_parent_id",
                        t.stream().map(CatalogRows.Thought::parentId).toArray(String[]::new))
                .put("t_children", t.stream().map(CatalogRows.Thought::children).toArray(String[]::new))
                .put(
                        "t_alternatives",
                        t.stream().map(CatalogRows.Thought::alternatives).toArray(String[]::new))
                .put("t_metadata", t.stream().map(CatalogRows.Thought::metadata).toArray(String[]::new))
                .put("t_ts", t.stream().map(CatalogRows.Thought::timestamp).toArray(Long[]::new))
                .put("k_id", k.stream().map(CatalogRows.ToolCall::id).toArray(String[]::new))
                .put("k_seq", k.stream().map(CatalogRows.ToolCall::seq).toArray(Integer[]::new))
                .put("k_tool_id", k.stream().map(CatalogRows.ToolCall::toolId).toArray(String[]::new))
                .put("k_status", k.stream().map(CatalogRows.ToolCall::status).toArray(String[]::new))
                .put(
                        "k_arguments",
                        k.stream().map(CatalogRows.ToolCall::arguments).toArray(String[]::new))
                .put("k_result", k.stream().map(CatalogRows.ToolCall::result).toArray(String[]::new))
                .put("k_error", k.stream().map(CatalogRows.ToolCall::error).toArray(String[]::new))
                .put(
                        "k_duration_ms",
                        k.stream().map(CatalogRows.ToolCall::durationMs).toArray(Double[]::new))
                .put("k_ts", k.stream().map(CatalogRows.ToolCall::timestamp).toArray(Long[]::new));
        return (fromRuntime ? INSERT_RUNTIME : INSERT_PUSHED).run(pool, p).map(rows -> {
            Row r = rows.iterator().next();
            return new Inserted(r.getLong("held") > 0, r.getLong("inserted") > 0, r.getBoolean("fenced"));
        });
    }

    public Uni<CheckpointRow> find(Tenant tenant, String id) {
        return find(pool, tenant, id);
    }

    /** The row, or null. */
    public Uni<CheckpointRow> find(SqlClient client, Tenant tenant, String id) {
        return client.preparedQuery(
                        "SELECT " + SUMMARY_COLUMNS + ", document FROM checkpoints WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /** A checkpoint as the scrub verifies it: its object and checksum, and its inline copy if any. */
    public record Stored(
            Tenant tenant, String id, String objectKey, String sha256, long sizeBytes, String inlineDocument) {}

    /**
     * The next checkpoints after {@code (afterTenant, afterId)} in key order, of one tenant or (null) of all, for the
     * scrub.
     */
    public Uni<List<Stored>> after(Optional<Tenant> tenant, String afterTenant, String afterId, int limit) {
        return pool.preparedQuery("""
                SELECT tenant, id, object_key, sha256, size_bytes, document FROM checkpoints
                WHERE ($1::text IS NULL OR tenant = $1)
                  AND ($2::text IS NULL OR (tenant, id) > ($2, $3))
                ORDER BY tenant, id LIMIT $4""")
                .execute(Tuple.from(new Object[] {tenant.map(Tenant::id).orElse(null), afterTenant, afterId, limit}))
                .map(rows -> {
                    List<Stored> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(new Stored(
                            Tenant.of(r.getString("tenant")),
                            r.getString("id"),
                            r.getString("object_key"),
                            r.getString("sha256"),
                            r.getLong("size_bytes"),
                            r.getString("document"))));
                    return list;
                });
    }

    /** Whether the checkpoint still exists. */
    public Uni<Boolean> exists(Tenant tenant, String id) {
        return pool.preparedQuery("SELECT 1 FROM checkpoints WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> rows.size() > 0);
    }

    /** Rewrites a checkpoint's inline copy (the scrub repairing it from its verified object). */
    public Uni<Void> repairInline(Tenant tenant, String id, String document) {
        return pool.preparedQuery("UPDATE checkpoints SET document = $3 WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id, document))
                .replaceWithVoid();
    }

    /** The checkpoint an execution's request with this idempotency key created, or null. */
    public Uni<CheckpointRow> findByIdempotencyKey(Tenant tenant, String executionId, String key) {
        return pool.preparedQuery("SELECT " + SUMMARY_COLUMNS + ", document FROM checkpoints "
                        + "WHERE tenant = $1 AND execution_id = $2 AND idempotency_key = $3")
                .execute(Tuple.of(tenant.id(), executionId, key))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /** Newest first, keyset-paged after {@code (afterTs, afterId)}. */
    public Uni<List<CheckpointSummary>> query(
            Tenant tenant, CheckpointQuery q, Long afterTs, String afterId, int limit) {
        List<Object> params = new ArrayList<>();
        params.add(tenant.id());
        StringBuilder where = new StringBuilder("c.tenant = $1");
        if (q.executionId() != null) {
            params.add(q.executionId());
            where.append(" AND c.execution_id = $").append(params.size());
        }
        if (q.agentId() != null) {
            params.add(q.agentId());
            where.append(" AND c.agent_id = $").append(params.size());
        }
        if (q.reason() != null) {
            params.add(q.reason());
            where.append(" AND c.checkpoint_reason = $").append(params.size());
        }
        if (q.from() != null) {
            params.add(q.from());
            where.append(" AND c.ts >= $").append(params.size());
        }
        if (q.to() != null) {
            params.add(q.to());
            where.append(" AND c.ts <= $").append(params.size());
        }
        if (q.thoughtType() != null || q.minConfidence() != null || q.maxConfidence() != null || q.text() != null) {
            where.append(" AND EXISTS (SELECT 1 FROM checkpoint_thoughts t WHERE t.tenant = c.tenant"
                    + " AND t.checkpoint_id = c.id");
            if (q.thoughtType() != null) {
                params.add(q.thoughtType());
                where.append(" AND t.type = $").append(params.size());
            }
            if (q.minConfidence() != null) {
                params.add(q.minConfidence());
                where.append(" AND t.confidence >= $").append(params.size());
            }
            if (q.maxConfidence() != null) {
                params.add(q.maxConfidence());
                where.append(" AND t.confidence <= $").append(params.size());
            }
            if (q.text() != null) {
                params.add(q.text());
                where.append(" AND t.search @@ plainto_tsquery('simple', $")
                        .append(params.size())
                        .append(')');
            }
            where.append(')');
        }
        String from = "checkpoints c";
        String order = "c.ts DESC, c.id DESC";
        if (q.toolId() != null) {
            // driven by the tool index, which yields the checkpoints that used the tool newest first: the scan stops
            // after one page instead of probing every newer checkpoint
            params.add(q.toolId());
            StringBuilder tools = new StringBuilder("SELECT DISTINCT ON (k.checkpoint_ts, k.checkpoint_id)"
                            + " k.checkpoint_ts, k.checkpoint_id FROM checkpoint_tool_calls k"
                            + " WHERE k.tenant = $1 AND k.tool_id = $")
                    .append(params.size());
            if (afterTs != null) {
                params.add(afterTs);
                params.add(afterId);
                tools.append(" AND (k.checkpoint_ts, k.checkpoint_id) < ($")
                        .append(params.size() - 1)
                        .append(", $")
                        .append(params.size())
                        .append(')');
            }
            tools.append(" ORDER BY k.checkpoint_ts DESC, k.checkpoint_id DESC");
            from = "(" + tools + ") m JOIN checkpoints c ON c.tenant = $1 AND c.id = m.checkpoint_id";
            order = "m.checkpoint_ts DESC, m.checkpoint_id DESC";
        } else if (afterTs != null) {
            params.add(afterTs);
            params.add(afterId);
            where.append(" AND (c.ts, c.id) < ($")
                    .append(params.size() - 1)
                    .append(", $")
                    .append(params.size())
                    .append(')');
        }
        params.add(limit);
        String sql = "SELECT " + SUMMARY_COLUMNS.replace("tenant, id,", "c.tenant, c.id,")
                + ", NULL AS document FROM " + from + " WHERE " + where + " ORDER BY " + order + " LIMIT $"
                + params.size();
        return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<CheckpointSummary> list = new ArrayList<>(rows.size());
            rows.forEach(r -> list.add(row(r).summary()));
            return list;
        });
    }

    /** A page of a checkpoint's thoughts in chain order, each with its position. */
    public Uni<List<Sequenced<ThoughtStep>>> thoughts(
            Tenant tenant, String checkpointId, ThoughtType type, Double min, Double max, long afterSeq, int limit) {
        return pool.preparedQuery("""
                SELECT seq, id, type, content, reasoning, confidence, alternatives_json::text AS alternatives,
                  parent_id, children_json::text AS children, metadata_json::text AS metadata, created_at AS ts
                FROM checkpoint_thoughts WHERE tenant = $1 AND checkpoint_id = $2 AND seq > $3
                  AND ($4::text IS NULL OR type = $4) AND ($5::float8 IS NULL OR confidence >= $5)
                  AND ($6::float8 IS NULL OR confidence <= $6)
                ORDER BY seq LIMIT $7""")
                .execute(Tuple.from(new Object[] {
                    tenant.id(), checkpointId, afterSeq, type == null ? null : type.wire(), min, max, limit
                }))
                .map(rows -> {
                    List<Sequenced<ThoughtStep>> list = new ArrayList<>(rows.size());
                    rows.forEach(r ->
                            list.add(new Sequenced<>(r.getLong("seq"), ThoughtRepository.step(Columns.of(r), json))));
                    return list;
                });
    }

    /** A page of a checkpoint's finished tool calls, each with its position. */
    public Uni<List<Sequenced<CheckpointToolCallView>>> toolCalls(
            Tenant tenant, String checkpointId, String toolId, String status, long afterSeq, int limit) {
        return pool.preparedQuery("""
                SELECT seq, id, tool_id, status, arguments_json::text AS arguments, result_json::text AS result, error,
                  duration_ms, ts
                FROM checkpoint_tool_calls WHERE tenant = $1 AND checkpoint_id = $2 AND seq > $3
                  AND ($4::text IS NULL OR tool_id = $4) AND ($5::text IS NULL OR status = $5)
                ORDER BY seq LIMIT $6""")
                .execute(Tuple.from(new Object[] {tenant.id(), checkpointId, afterSeq, toolId, status, limit}))
                .map(rows -> {
                    List<Sequenced<CheckpointToolCallView>> list = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        list.add(new Sequenced<>(
                                r.getLong("seq"),
                                new CheckpointToolCallView(
                                        r.getString("id"),
                                        r.getString("tool_id"),
                                        r.getString("status"),
                                        json.read(r.getString("arguments")),
                                        json.read(r.getString("result")),
                                        r.getString("error"),
                                        r.getDouble("duration_ms"),
                                        r.getLong("ts"))));
                    }
                    return list;
                });
    }

    /**
     * Deletes a checkpoint with its thought and tool-call rows in one statement (no foreign key does it: see
     * migration V3); returns its object key, or null when there was none.
     */
    public Uni<String> delete(SqlClient client, Tenant tenant, String id) {
        return client.preparedQuery("""
                WITH t AS (DELETE FROM checkpoint_thoughts WHERE tenant = $1 AND checkpoint_id = $2),
                     k AS (DELETE FROM checkpoint_tool_calls WHERE tenant = $1 AND checkpoint_id = $2)
                DELETE FROM checkpoints WHERE tenant = $1 AND id = $2 RETURNING object_key""")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("object_key"));
    }

    /** A checkpoint by its tenant and id. */
    public record Ref(Tenant tenant, String id) {}

    /**
     * Checkpoints past retention, at most {@code batch}: beyond the newest {@code keepLast} of their execution, or
     * older than {@code olderThan}; of one tenant, or of every tenant when {@code tenant} is empty (the scheduled run).
     */
    public Uni<List<Ref>> pastRetention(Optional<Tenant> tenant, Integer keepLast, Long olderThan, int batch) {
        return pool.preparedQuery("""
                SELECT tenant, id FROM (
                  SELECT tenant, id, ts,
                    row_number() OVER (PARTITION BY tenant, execution_id ORDER BY ts DESC, id DESC) AS rn
                  FROM checkpoints WHERE ($1::text IS NULL OR tenant = $1)) x
                WHERE ($2::int IS NOT NULL AND rn > $2) OR ($3::bigint IS NOT NULL AND ts < $3)
                LIMIT $4""")
                .execute(Tuple.from(new Object[] {tenant.map(Tenant::id).orElse(null), keepLast, olderThan, batch}))
                .map(rows -> {
                    List<Ref> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(new Ref(Tenant.of(r.getString("tenant")), r.getString("id"))));
                    return list;
                });
    }

    /** Which of these object keys a row points to, read through {@code client} (e.g. inside a deletion). */
    public Uni<Set<String>> referenced(SqlClient client, List<String> keys) {
        return client.preparedQuery("SELECT object_key FROM checkpoints WHERE object_key = ANY($1)")
                .execute(Tuple.of(keys.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> set = new HashSet<>();
                    rows.forEach(r -> set.add(r.getString("object_key")));
                    return set;
                });
    }

    private CheckpointRow row(Row r) {
        CheckpointSummary summary = new CheckpointSummary(
                r.getString("id"),
                r.getString("execution_id"),
                r.getString("agent_id"),
                r.getLong("ts"),
                r.getString("checkpoint_reason"),
                r.getLong("step_number"),
                r.getLong("tokens_used"),
                r.getDouble("duration_ms"),
                r.getString("parent_checkpoint_id"),
                r.getBoolean("is_branch"),
                r.getString("name"),
                r.getString("description"),
                r.getString("object_key"),
                r.getString("sha256"),
                r.getLong("size_bytes"),
                r.getString("schema_version"),
                new CheckpointSummary.Counts(r.getInteger("step_count"), r.getInteger("tool_call_count")));
        return new CheckpointRow(
                Tenant.of(r.getString("tenant")),
                summary,
                r.getString("content_sha256"),
                r.getString("document"),
                r.getString("idempotency_key"),
                r.getString("idempotency_request"));
    }
}
