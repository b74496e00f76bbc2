package dev.cafstate.checkpoint.repository;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.events.OutboxRepository;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.transfer.job.TransferQueueRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
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
     * One statement writes a stored checkpoint's rows, inside the transaction that holds its execution's catalog lock
     * ({@link #insert}): the write claim on its object is released (CTE {@code r}; when the claim is gone, nothing
     * else is written), the checkpoint row is inserted at sequence {@code :cseq} of its execution ({@code c}; nothing
     * more when the id or the idempotency key is taken); the execution's open thought and tool-call rows this
     * checkpoint no longer contains are closed at the previous sequence ({@code tc}, {@code kc}), and only its new or
     * changed rows are inserted ({@code t}, {@code k}: the arrays hold those rows alone); the execution points at it
     * ({@code x}), its {@code agent.checkpoint} event goes to the outbox ({@code o}) and it is queued for the
     * locations that export the tenant's new checkpoints ({@code q}). With {@code :guard_fence}, nothing is written
     * for an execution another cluster owns or one being handed off ({@code fenced} says so).
     */
    private static final String INSERT = """
            WITH %s,
            c AS (
              INSERT INTO checkpoints (tenant, id, execution_id, agent_id, agent_name, ts, checkpoint_reason,
                step_number, total_steps_estimate, tokens_used, duration_ms, parent_checkpoint_id, is_branch,
                branch_reason, name, description, object_key, sha256, content_sha256, size_bytes, schema_version,
                document, step_count, tool_call_count, idempotency_key, created_at, idempotency_request,
                origin_cluster, cseq)
              SELECT :tenant, :id, :execution, :agent_id, :agent_name, :ts, :reason, :step_number,
                :total_steps_estimate, :tokens_used, :duration_ms, :parent_checkpoint_id, :is_branch, :branch_reason,
                :name, :description, :object_key, :sha256, :content_sha256, :size_bytes, :schema_version, :document,
                :step_count, :tool_call_count, :idempotency_key, :now, :idempotency_request, :origin_cluster, :cseq
              FROM r
              WHERE NOT (:guard_fence AND %s)
              ON CONFLICT DO NOTHING
              RETURNING id),
            tc AS (
              UPDATE catalog_thoughts SET to_cseq = :cseq - 1
              FROM c WHERE tenant = :tenant AND execution_id = :execution AND to_cseq IS NULL
                AND seq = ANY(:t_close::int[])),
            t AS (
              INSERT INTO catalog_thoughts (tenant, execution_id, seq, from_cseq, hash, id, type, content, reasoning,
                confidence, parent_id, children_json, alternatives_json, metadata_json, created_at)
              SELECT :tenant, :execution, u.seq, :cseq, u.hash, u.id, u.type, u.content, u.reasoning, u.confidence,
                u.parent_id, u.children::jsonb, u.alternatives::json, u.metadata::json, u.ts
              FROM c, unnest(:t_id::text[], :t_seq::int[], :t_hash::bytea[], :t_type::text[], :t_content::text[],
                :t_reasoning::text[], :t_confidence::float8[], :t_parent_id::text[], :t_children::text[],
                :t_alternatives::text[], :t_metadata::text[], :t_ts::bigint[])
                AS u(id, seq, hash, type, content, reasoning, confidence, parent_id, children, alternatives, metadata,
                  ts)),
            kc AS (
              UPDATE catalog_tool_calls SET to_cseq = :cseq - 1
              FROM c WHERE tenant = :tenant AND execution_id = :execution AND to_cseq IS NULL
                AND seq = ANY(:k_close::int[])),
            k AS (
              INSERT INTO catalog_tool_calls (tenant, execution_id, seq, from_cseq, hash, id, tool_id, status,
                arguments_json, result_json, error, duration_ms, ts)
              SELECT :tenant, :execution, u.seq, :cseq, u.hash, u.id, u.tool_id, u.status, u.arguments::json,
                u.result::json, u.error, u.duration_ms, u.ts
              FROM c, unnest(:k_id::text[], :k_seq::int[], :k_hash::bytea[], :k_tool_id::text[], :k_status::text[],
                :k_arguments::text[], :k_result::text[], :k_error::text[], :k_duration_ms::float8[],
                :k_ts::bigint[])
                AS u(id, seq, hash, tool_id, status, arguments, result, error, duration_ms, ts)),
            %s,
            %s,
            %s
            SELECT (SELECT count(*) FROM r) AS held, (SELECT count(*) FROM c) AS inserted,
              :guard_fence AND %s AS fenced""";

    /**
     * The catalog lock of one execution: every change of its checkpoints' rows (a new checkpoint, a deletion) holds
     * it to the end of its transaction, so that the open rows a new checkpoint shares are the ones that stay. The
     * two-key form keeps these locks apart from the single-key ones of object claims.
     */
    static final Statement LOCK = Statement.of("""
            SELECT pg_advisory_xact_lock(1129005908, hashtext(:tenant || '/' || :execution))""");

    /**
     * What a new checkpoint of the execution is compared with: its open rows (position, id and hash) and the last
     * sequence number, read under {@link #LOCK}.
     */
    static final Statement OPEN_ROWS = Statement.of("""
            SELECT 't' AS part, seq, id, hash FROM catalog_thoughts
              WHERE tenant = :tenant AND execution_id = :execution AND to_cseq IS NULL
            UNION ALL
            SELECT 'k', seq, id, hash FROM catalog_tool_calls
              WHERE tenant = :tenant AND execution_id = :execution AND to_cseq IS NULL
            UNION ALL
            SELECT 'n', COALESCE(max(cseq), 0), NULL, NULL FROM checkpoints
              WHERE tenant = :tenant AND execution_id = :execution""");

    /** Row {@code %1$s} of a catalog table belongs to checkpoint {@code %2$s} (same execution assumed). */
    static final String CONTAINS =
            "%1$s.from_cseq <= %2$s.cseq AND (%1$s.to_cseq IS NULL OR %1$s.to_cseq >= %2$s.cseq)";

    /**
     * A checkpoint with the rows of its execution that no other checkpoint contains (run under {@link #LOCK}): rows
     * whose range holds it and no remaining checkpoint's sequence.
     */
    static final Statement DELETE = Statement.of("""
            WITH d AS (
              DELETE FROM checkpoints WHERE tenant = :tenant AND id = :id
              RETURNING execution_id, cseq, object_key),
            t AS (
              DELETE FROM catalog_thoughts t USING d
              WHERE t.tenant = :tenant AND t.execution_id = d.execution_id
                AND t.from_cseq <= d.cseq AND (t.to_cseq IS NULL OR t.to_cseq >= d.cseq)
                AND NOT EXISTS (SELECT 1 FROM checkpoints o WHERE o.tenant = :tenant AND o.execution_id = d.execution_id
                  AND o.id <> :id AND o.cseq >= t.from_cseq AND (t.to_cseq IS NULL OR o.cseq <= t.to_cseq))),
            k AS (
              DELETE FROM catalog_tool_calls k USING d
              WHERE k.tenant = :tenant AND k.execution_id = d.execution_id
                AND k.from_cseq <= d.cseq AND (k.to_cseq IS NULL OR k.to_cseq >= d.cseq)
                AND NOT EXISTS (SELECT 1 FROM checkpoints o WHERE o.tenant = :tenant AND o.execution_id = d.execution_id
                  AND o.id <> :id AND o.cseq >= k.from_cseq AND (k.to_cseq IS NULL OR o.cseq <= k.to_cseq)))
            SELECT object_key FROM d""");

    /**
     * The outbox part of {@link #INSERT}: once per inserted checkpoint, after CTE {@code x} has locked the execution's
     * row (read here for that alone), so that the event counter's lock comes second as in every other write.
     */
    private static final String EVENTS_AFTER_LINK = OutboxRepository.insertCte("c, (SELECT count(*) FROM x) linked");

    /** {@link #INSERT} of a checkpoint taken from the runtime: it consumes the execution's restore or fork parent. */
    static final Statement INSERT_RUNTIME = Statement.of(INSERT.formatted(
            ObjectClaimRepository.RELEASE_CTE,
            ExecutionRepository.FENCED,
            ExecutionRepository.LINK_RUNTIME_CTE,
            EVENTS_AFTER_LINK,
            TransferQueueRepository.ENQUEUE_CTE,
            ExecutionRepository.FENCED));

    /** {@link #INSERT} of a pushed checkpoint: its execution is made when missing. */
    static final Statement INSERT_PUSHED = Statement.of(INSERT.formatted(
            ObjectClaimRepository.RELEASE_CTE,
            ExecutionRepository.FENCED,
            ExecutionRepository.LINK_PUSHED_CTE,
            EVENTS_AFTER_LINK,
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
     * Writes a stored checkpoint's rows ({@link #INSERT_RUNTIME} or {@link #INSERT_PUSHED}) with its event (JSON
     * array), in a transaction that holds the execution's catalog lock: the execution's open rows are read, and only
     * the rows that differ from them are written (O(rows added or changed), not O(rows)).
     */
    public Uni<Inserted> insert(
            Tenant tenant, NewCheckpoint n, Provenance from, boolean fromRuntime, String events, long now) {
        Params key = Params.of()
                .put("tenant", tenant.id())
                .put("execution", n.rows().header().executionId());
        return pool.withTransaction(conn -> LOCK.run(conn, key)
                .flatMap(x -> OPEN_ROWS.run(
                        conn,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", n.rows().header().executionId())))
                .flatMap(open -> (fromRuntime ? INSERT_RUNTIME : INSERT_PUSHED)
                        .run(conn, params(tenant, n, from, events, now, Delta.of(n.rows(), open)))
                        .map(rows -> {
                            Row r = rows.iterator().next();
                            return new Inserted(
                                    r.getLong("held") > 0, r.getLong("inserted") > 0, r.getBoolean("fenced"));
                        })));
    }

    /**
     * What a new checkpoint writes of its rows, against its execution's open rows: the sequence number it takes, the
     * positions of open rows it no longer contains (closed), and the rows that are new or changed (inserted). A row
     * at the same position with the same id and hash is shared.
     */
    record Delta(
            long cseq,
            List<Integer> thoughtsClosed,
            List<CatalogRows.Thought> thoughts,
            List<Integer> callsClosed,
            List<CatalogRows.ToolCall> calls) {

        static Delta of(CatalogRows rows, RowSet<Row> open) {
            Map<Integer, Row> openThoughts = new HashMap<>();
            Map<Integer, Row> openCalls = new HashMap<>();
            long last = 0;
            for (Row r : open) {
                switch (r.getString("part")) {
                    case "t" -> openThoughts.put(r.getInteger("seq"), r);
                    case "k" -> openCalls.put(r.getInteger("seq"), r);
                    default -> last = r.getLong("seq");
                }
            }
            List<CatalogRows.Thought> thoughts = new ArrayList<>();
            for (CatalogRows.Thought t : rows.thoughts()) {
                if (same(openThoughts.get(t.seq()), t.id(), t.hash())) {
                    openThoughts.remove(t.seq());
                } else {
                    thoughts.add(t);
                }
            }
            List<CatalogRows.ToolCall> calls = new ArrayList<>();
            for (CatalogRows.ToolCall k : rows.toolCalls()) {
                if (same(openCalls.get(k.seq()), k.id(), k.hash())) {
                    openCalls.remove(k.seq());
                } else {
                    calls.add(k);
                }
            }
            return new Delta(
                    last + 1, List.copyOf(openThoughts.keySet()), thoughts, List.copyOf(openCalls.keySet()), calls);
        }

        private static boolean same(Row open, String id, byte[] hash) {
            if (open == null || !id.equals(open.getString("id"))) {
                return false;
            }
            var stored = open.getBuffer("hash");
            return stored != null && Arrays.equals(stored.getBytes(), hash);
        }
    }

    private static Params params(
            Tenant tenant, NewCheckpoint n, Provenance from, String events, long now, Delta delta) {
        CatalogRows.Header h = n.rows().header();
        List<CatalogRows.Thought> t = delta.thoughts();
        List<CatalogRows.ToolCall> k = delta.calls();
        StoredObjectRef object = n.object();
        return Params.of()
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
                .put("step_count", n.rows().thoughts().size())
                .put("tool_call_count", n.rows().toolCalls().size())
                .put("idempotency_key", n.idempotencyKey())
                .put("now", now)
                .put("idempotency_request", n.idempotencyRequest())
                .put("claim", n.claim())
                .put("events", events)
                .put("origin_cluster", from.originCluster())
                .put("guard_fence", from.guardFence())
                .put("auto_export", from.autoExportLocations().toArray(String[]::new))
                .put("cseq", delta.cseq())
                .put("t_close", delta.thoughtsClosed().toArray(Integer[]::new))
                .put("t_id", t.stream().map(CatalogRows.Thought::id).toArray(String[]::new))
                .put("t_seq", t.stream().map(CatalogRows.Thought::seq).toArray(Integer[]::new))
                .put("t_hash", t.stream().map(x -> Buffer.buffer(x.hash())).toArray(Buffer[]::new))
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
                .put("k_close", delta.callsClosed().toArray(Integer[]::new))
                .put("k_id", k.stream().map(CatalogRows.ToolCall::id).toArray(String[]::new))
                .put("k_seq", k.stream().map(CatalogRows.ToolCall::seq).toArray(Integer[]::new))
                .put("k_hash", k.stream().map(x -> Buffer.buffer(x.hash())).toArray(Buffer[]::new))
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

    /**
     * Newest first, keyset-paged after {@code (afterTs, afterId)} ({@link CheckpointSearch}): a query with a text or
     * a tool filter is tried driven by its matching rows, and scans the checkpoints when they are too many.
     */
    public Uni<List<CheckpointSummary>> query(
            Tenant tenant, CheckpointQuery q, Long afterTs, String afterId, int limit) {
        String columns = Arrays.stream(SUMMARY_COLUMNS.split(","))
                        .map(column -> "c." + column.strip())
                        .collect(Collectors.joining(", "))
                + ", NULL AS document";
        Uni<List<CheckpointSummary>> found = Uni.createFrom().nullItem();
        for (CheckpointSearch.Rows rows : CheckpointSearch.drivers(q)) {
            found = found.flatMap(page -> page != null
                    ? Uni.createFrom().item(page)
                    : run(CheckpointSearch.query(columns, tenant.id(), q, rows, afterTs, afterId, limit))
                            .map(result -> {
                                Row first = result.iterator().next();
                                if (first.getLong("matched") > CheckpointSearch.DRIVEN_ROWS) {
                                    return null; // too many rows to drive: scan
                                }
                                List<CheckpointSummary> list = new ArrayList<>(result.size());
                                result.forEach(r -> {
                                    if (r.getString("id") != null) {
                                        list.add(row(r).summary());
                                    }
                                });
                                return list;
                            }));
        }
        return found.flatMap(page -> page != null
                ? Uni.createFrom().item(page)
                : run(CheckpointSearch.query(columns, tenant.id(), q, null, afterTs, afterId, limit))
                        .map(result -> {
                            List<CheckpointSummary> list = new ArrayList<>(result.size());
                            result.forEach(r -> list.add(row(r).summary()));
                            return list;
                        }));
    }

    private Uni<RowSet<Row>> run(CheckpointSearch.Sql sql) {
        return pool.preparedQuery(sql.text.toString()).execute(Tuple.from(sql.params));
    }

    /**
     * Deletes a checkpoint, and the thought and tool-call rows of its execution that no remaining checkpoint contains;
     * inside a transaction ({@code client}), under its execution's catalog lock. Returns its object key, or null when
     * there was none.
     */
    public Uni<String> delete(SqlClient client, Tenant tenant, String id) {
        return client.preparedQuery("SELECT execution_id FROM checkpoints WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Params p = Params.of()
                            .put("tenant", tenant.id())
                            .put("execution", rows.iterator().next().getString("execution_id"));
                    return LOCK.run(client, p)
                            .flatMap(x -> DELETE.run(
                                    client,
                                    Params.of().put("tenant", tenant.id()).put("id", id)))
                            .map(deleted -> deleted.size() == 0
                                    ? null
                                    : deleted.iterator().next().getString("object_key"));
                });
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
