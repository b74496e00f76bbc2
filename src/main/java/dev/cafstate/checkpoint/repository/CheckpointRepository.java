package dev.cafstate.checkpoint.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.cafstate.common.security.Tenant;
import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.api.CheckpointToolCallView;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.paging.Sequenced;
import dev.cafstate.runtime.repository.ThoughtRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The checkpoint catalog in PostgreSQL: rows, normalized thoughts and tool calls, and the query. */
@ApplicationScoped
public class CheckpointRepository {

    static final String SUMMARY_COLUMNS = """
            tenant, id, execution_id, agent_id, ts, checkpoint_reason, step_number, tokens_used, duration_ms,
            parent_checkpoint_id, is_branch, name, description, object_key, sha256, content_sha256, size_bytes,
            schema_version, step_count, tool_call_count, idempotency_key, idempotency_request""";

    /**
     * One statement: the checkpoint row and, only when it was new, its thoughts and finished tool calls (arrays
     * built from the document by {@link CatalogRows}, one element per row). Returns the new row (summary columns
     * and inline document) when inserted, none when the id existed.
     */
    private static final String INSERT = """
            WITH c AS (
              INSERT INTO checkpoints (tenant, id, execution_id, agent_id, agent_name, ts, checkpoint_reason,
                step_number, total_steps_estimate, tokens_used, duration_ms, parent_checkpoint_id, is_branch,
                branch_reason, name, description, object_key, sha256, content_sha256, size_bytes, schema_version,
                document, step_count, tool_call_count, idempotency_key, created_at, idempotency_request)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22, $23, $24, $25, $26, $47)
              ON CONFLICT DO NOTHING
              RETURNING %s, document),
            t AS (
              INSERT INTO checkpoint_thoughts (tenant, checkpoint_id, id, seq, type, content, reasoning, confidence,
                parent_id, children_json, alternatives_json, metadata_json, created_at)
              SELECT $1, $2, u.id, u.seq, u.type, u.content, u.reasoning, u.confidence, u.parent_id,
                u.children::jsonb, u.alternatives::jsonb, u.metadata::json, u.ts
              FROM c, unnest($27::text[], $28::int[], $29::text[], $30::text[], $31::text[], $32::float8[],
                $33::text[], $34::text[], $35::text[], $36::text[], $37::bigint[])
                AS u(id, seq, type, content, reasoning, confidence, parent_id, children, alternatives, metadata, ts)),
            k AS (
              INSERT INTO checkpoint_tool_calls (tenant, checkpoint_id, id, seq, tool_id, status, arguments_json,
                result_json, error, duration_ms, ts, checkpoint_ts)
              SELECT $1, $2, u.id, u.seq, u.tool_id, u.status, u.arguments::json, u.result::json, u.error,
                u.duration_ms, u.ts, $6
              FROM c, unnest($38::text[], $39::int[], $40::text[], $41::text[], $42::text[], $43::text[],
                $44::text[], $45::float8[], $46::bigint[])
                AS u(id, seq, tool_id, status, arguments, result, error, duration_ms, ts))
            SELECT * FROM c""".formatted(SUMMARY_COLUMNS);

    /** The object of a new checkpoint row: where it is, its checksums and size, and its inline copy if small. */
    public record StoredObjectRef(String objectKey, String sha256, String contentSha256, long sizeBytes,
            String inlineDocument) {
    }

    private final Pool pool;
    private final Json json;

    public CheckpointRepository(Pool pool, Json json) {
        this.pool = pool;
        this.json = json;
    }

    /** Inserts the catalog rows of a stored document: the new row, or null when this id already existed. */
    public Uni<CheckpointRow> insert(SqlConnection conn, Tenant tenant, String id, CatalogRows rows,
            StoredObjectRef object, String idempotencyKey, String idempotencyRequest, long now) {
        CatalogRows.Header h = rows.header();
        List<CatalogRows.Thought> t = rows.thoughts();
        List<CatalogRows.ToolCall> k = rows.toolCalls();
        Object[] params = new Object[] { tenant.id(), id, h.executionId(), h.agentId(), h.agentName(), h.timestamp(),
                h.reason(), h.stepNumber(), h.totalStepsEstimate(), h.tokensUsed(), h.durationMs(),
                h.parentCheckpointId(), h.isBranch(), h.branchReason(), h.name(), h.description(), object.objectKey(),
                object.sha256(), object.contentSha256(), object.sizeBytes(), h.schemaVersion(),
                object.inlineDocument(), t.size(), k.size(), idempotencyKey, now,
                t.stream().map(CatalogRows.Thought::id).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::seq).toArray(Integer[]::new),
                t.stream().map(CatalogRows.Thought::type).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::content).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::reasoning).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::confidence).toArray(Double[]::new),
                t.stream().map(CatalogRows.Thought::parentId).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::children).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::alternatives).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::metadata).toArray(String[]::new),
                t.stream().map(CatalogRows.Thought::timestamp).toArray(Long[]::new),
                k.stream().map(CatalogRows.ToolCall::id).toArray(String[]::new),
                k.stream().map(CatalogRows.ToolCall::seq).toArray(Integer[]::new),
                k.stream().map(CatalogRows.ToolCall::toolId).toArray(String[]::new),
                k.stream().map(CatalogRows.ToolCall::status).toArray(String[]::new),
                k.stream().map(CatalogRows.ToolCall::arguments).toArray(String[]::new),
                k.stream().map(CatalogRows.ToolCall::result).toArray(String[]::new),
                k.stream().map(CatalogRows.ToolCall::error).toArray(String[]::new),
                k.stream().map(CatalogRows.ToolCall::durationMs).toArray(Double[]::new),
                k.stream().map(CatalogRows.ToolCall::timestamp).toArray(Long[]::new), idempotencyRequest };
        return conn.preparedQuery(INSERT).execute(Tuple.from(params))
                .map(result -> result.size() == 0 ? null : row(result.iterator().next()));
    }

    public Uni<CheckpointRow> find(Tenant tenant, String id) {
        return find(pool, tenant, id);
    }

    /** The row, or null. */
    public Uni<CheckpointRow> find(SqlClient client, Tenant tenant, String id) {
        return client.preparedQuery("SELECT " + SUMMARY_COLUMNS + ", document FROM checkpoints WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /** A checkpoint as the scrub verifies it: its object and checksum, and its inline copy if any. */
    public record Stored(Tenant tenant, String id, String objectKey, String sha256, long sizeBytes,
            String inlineDocument) {
    }

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
                .execute(Tuple.from(new Object[] { tenant.map(Tenant::id).orElse(null), afterTenant, afterId, limit }))
                .map(rows -> {
                    List<Stored> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(new Stored(Tenant.of(r.getString(0)), r.getString(1), r.getString(2),
                            r.getString(3), r.getLong(4), r.getString(5))));
                    return list;
                });
    }

    /** Whether the checkpoint still exists. */
    public Uni<Boolean> exists(Tenant tenant, String id) {
        return pool.preparedQuery("SELECT 1 FROM checkpoints WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id)).map(rows -> rows.size() > 0);
    }

    /** Rewrites a checkpoint's inline copy (the scrub repairing it from its verified object). */
    public Uni<Void> repairInline(Tenant tenant, String id, String document) {
        return pool.preparedQuery("UPDATE checkpoints SET document = $3 WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), id, document)).replaceWithVoid();
    }

    /** The checkpoint an execution's request with this idempotency key created, or null. */
    public Uni<CheckpointRow> findByIdempotencyKey(Tenant tenant, String executionId, String key) {
        return pool.preparedQuery("SELECT " + SUMMARY_COLUMNS + ", document FROM checkpoints "
                + "WHERE tenant = $1 AND execution_id = $2 AND idempotency_key = $3")
                .execute(Tuple.of(tenant.id(), executionId, key))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /** Newest first, keyset-paged after {@code (afterTs, afterId)}. */
    public Uni<List<CheckpointSummary>> query(Tenant tenant, CheckpointQuery q, Long afterTs, String afterId,
            int limit) {
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
                where.append(" AND t.search @@ plainto_tsquery('simple', $").append(params.size()).append(')');
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
                    + " k.checkpoint_ts, k.checkpoint_id FROM checkpoint_tool_calls k WHERE k.tenant = $1 AND k.tool_id = $")
                    .append(params.size());
            if (afterTs != null) {
                params.add(afterTs);
                params.add(afterId);
                tools.append(" AND (k.checkpoint_ts, k.checkpoint_id) < ($").append(params.size() - 1).append(", $")
                        .append(params.size()).append(')');
            }
            tools.append(" ORDER BY k.checkpoint_ts DESC, k.checkpoint_id DESC");
            from = "(" + tools + ") m JOIN checkpoints c ON c.tenant = $1 AND c.id = m.checkpoint_id";
            order = "m.checkpoint_ts DESC, m.checkpoint_id DESC";
        } else if (afterTs != null) {
            params.add(afterTs);
            params.add(afterId);
            where.append(" AND (c.ts, c.id) < ($").append(params.size() - 1).append(", $").append(params.size())
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
    public Uni<List<Sequenced<ThoughtStep>>> thoughts(Tenant tenant, String checkpointId, ThoughtType type,
            Double min, Double max, long afterSeq, int limit) {
        return pool.preparedQuery("""
                SELECT id, type, content, reasoning, confidence, alternatives_json::text, parent_id,
                  children_json::text, metadata_json::text, created_at, seq
                FROM checkpoint_thoughts WHERE tenant = $1 AND checkpoint_id = $2 AND seq > $3
                  AND ($4::text IS NULL OR type = $4) AND ($5::float8 IS NULL OR confidence >= $5)
                  AND ($6::float8 IS NULL OR confidence <= $6)
                ORDER BY seq LIMIT $7""")
                .execute(Tuple.from(new Object[] { tenant.id(), checkpointId, afterSeq, type == null ? null : type.wire(),
                        min, max, limit }))
                .map(rows -> {
                    List<Sequenced<ThoughtStep>> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(new Sequenced<>(r.getLong("seq"), ThoughtRepository.map(r, json))));
                    return list;
                });
    }

    /** A page of a checkpoint's finished tool calls, each with its position. */
    public Uni<List<Sequenced<CheckpointToolCallView>>> toolCalls(Tenant tenant, String checkpointId, String toolId,
            String status, long afterSeq, int limit) {
        return pool.preparedQuery("""
                SELECT id, tool_id, status, arguments_json::text, result_json::text, error, duration_ms, ts, seq
                FROM checkpoint_tool_calls WHERE tenant = $1 AND checkpoint_id = $2 AND seq > $3
                  AND ($4::text IS NULL OR tool_id = $4) AND ($5::text IS NULL OR status = $5)
                ORDER BY seq LIMIT $6""")
                .execute(Tuple.from(new Object[] { tenant.id(), checkpointId, afterSeq, toolId, status, limit }))
                .map(rows -> {
                    List<Sequenced<CheckpointToolCallView>> list = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        list.add(new Sequenced<>(r.getLong(8), new CheckpointToolCallView(r.getString(0),
                                r.getString(1), r.getString(2), json.read(r.getString(3)), json.read(r.getString(4)),
                                r.getString(5), r.getDouble(6), r.getLong(7))));
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
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    /** A checkpoint by its tenant and id. */
    public record Ref(Tenant tenant, String id) {
    }

    /**
     * Checkpoints past retention, at most {@code batch}: beyond the newest {@code keepLast} of their execution, or
     * older than {@code olderThan}; of one tenant, or of every tenant when {@code tenant} is empty (the scheduled run).
     */
    public Uni<List<Ref>> pastRetention(Optional<Tenant> tenant, Integer keepLast, Long olderThan, int batch) {
        return pool.preparedQuery("""
                SELECT tenant, id FROM (
                  SELECT tenant, id, ts, row_number() OVER (PARTITION BY tenant, execution_id ORDER BY ts DESC, id DESC) AS rn
                  FROM checkpoints WHERE ($1::text IS NULL OR tenant = $1)) x
                WHERE ($2::int IS NOT NULL AND rn > $2) OR ($3::bigint IS NOT NULL AND ts < $3)
                LIMIT $4""")
                .execute(Tuple.from(new Object[] { tenant.map(Tenant::id).orElse(null), keepLast, olderThan, batch }))
                .map(rows -> {
                    List<Ref> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(new Ref(Tenant.of(r.getString(0)), r.getString(1))));
                    return list;
                });
    }

    /** Which of these object keys a row points to, read through {@code client} (e.g. inside a deletion). */
    public Uni<java.util.Set<String>> referenced(SqlClient client, List<String> keys) {
        return client.preparedQuery("SELECT object_key FROM checkpoints WHERE object_key = ANY($1)")
                .execute(Tuple.of(keys.toArray(String[]::new)))
                .map(rows -> {
                    java.util.Set<String> set = new java.util.HashSet<>();
                    rows.forEach(r -> set.add(r.getString(0)));
                    return set;
                });
    }

    private CheckpointRow row(Row r) {
        CheckpointSummary summary = new CheckpointSummary(r.getString("id"), r.getString("execution_id"),
                r.getString("agent_id"), r.getLong("ts"), r.getString("checkpoint_reason"),
                r.getLong("step_number"), r.getLong("tokens_used"), r.getDouble("duration_ms"),
                r.getString("parent_checkpoint_id"), r.getBoolean("is_branch"), r.getString("name"),
                r.getString("description"), r.getString("object_key"), r.getString("sha256"),
                r.getLong("size_bytes"), r.getString("schema_version"),
                new CheckpointSummary.Counts(r.getInteger("step_count"), r.getInteger("tool_call_count")));
        return new CheckpointRow(Tenant.of(r.getString("tenant")), summary, r.getString("content_sha256"), r.getString("document"),
                r.getString("idempotency_key"), r.getString("idempotency_request"));
    }
}
