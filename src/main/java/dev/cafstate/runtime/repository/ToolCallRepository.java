package dev.cafstate.runtime.repository;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.json.Json;

import dev.cafstate.common.http.IfMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolCallStatus;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.events.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Tool calls in PostgreSQL: one row per call with its status and the tool-state list it sits in; the lists are views
 * of the rows, ordered by {@code status_seq}. {@code arguments} and {@code result} are {@code json}, kept as written.
 */
@ApplicationScoped
public class ToolCallRepository {

    static final String COLUMNS = "id, tool_id, arguments, status, result, error, duration_ms, ts, list";

    /** Values of {@link #COLUMNS} taken from JSON element {@code t.value} (a CAF ToolCall plus its list). */
    static final String VALUES_FROM_JSON = """
            t.value ->> 'id', t.value ->> 'tool_id', t.value -> 'arguments', t.value ->> 'status',
            t.value -> 'result', t.value ->> 'error', (t.value ->> 'duration_ms')::float8,
            (t.value ->> 'timestamp')::bigint, t.value ->> 'list'""";

    private static final String SELECT = """
            SELECT id, tool_id, arguments::text, status, result::text, error, duration_ms, ts, list
            FROM runtime_tool_calls""";

    private static final String CREATE = "WITH "
            + Mutations.bumpCte("tool_call_count = tool_call_count + 1, last_tool_call_id = $6") + """
                    , i AS (
                      INSERT INTO runtime_tool_calls (tenant, execution_id, seq, status_seq, %s)
                      SELECT $1, $2, e.tool_call_count, e.version, %s
                      FROM e, json_array_elements($7::text::json) AS t(value)
                      ON CONFLICT DO NOTHING
                      RETURNING 1)
                    , %s
                    SELECT e.version,
                      CASE WHEN (SELECT count(*) FROM i) = 0 THEN caf_fail('duplicate_tool_call') ELSE 0 END AS ok
                    FROM e""".formatted(COLUMNS, VALUES_FROM_JSON, OutboxRepository.insertCte(5));

    private final Mutations mutations;
    private final Json json;

    public ToolCallRepository(Mutations mutations, Json json) {
        this.mutations = mutations;
        this.json = json;
    }

    /** A call with the tool-state list it sits in ({@code pending, running, completed, failed}). */
    public record Listed(ToolCall call, String list) {
    }

    /** The list a call in this status belongs to when the runtime moves it (cancelled calls are listed as failed). */
    public static String listOf(ToolCallStatus status) {
        return status == ToolCallStatus.CANCELLED ? "failed" : status.wire();
    }

    /** Records a new call and its {@code tool.called} event; returns the new version. */
    public Uni<Long> create(Tenant tenant, String executionId, IfMatch expected, long now, ToolCall call,
            String events) {
        return mutations.single(CREATE, Tuple.from(new Object[] { tenant.id(), executionId, now, IfMatch.sql(expected), events,
                call.id(), "[" + row(call, listOf(call.status())) + "]" }),
                Map.of("duplicate_tool_call", () -> new StateConflict("tool call '" + call.id() + "' already exists")));
    }

    /** The call as stored, inside an open change, locked for update; 404 when unknown. */
    public Uni<ToolCall> lock(SqlConnection conn, Tenant tenant, String executionId, String callId) {
        return conn.preparedQuery(SELECT + " WHERE tenant = $1 AND execution_id = $2 AND id = $3 FOR UPDATE")
                .execute(Tuple.of(tenant.id(), executionId, callId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("tool call '" + callId + "' does not exist");
                    }
                    return map(rows.iterator().next()).call();
                });
    }

    /** Writes a call's new status and outcome; it moves to the end of the list of its new status. */
    public Uni<Void> update(SqlConnection conn, Tenant tenant, String executionId, long version, ToolCall call) {
        return conn.preparedQuery("""
                UPDATE runtime_tool_calls SET status = $4, result = $5::text::json, error = $6, duration_ms = $7,
                  tool_id = $8, arguments = $9::text::json, status_seq = $10, list = $11
                WHERE tenant = $1 AND execution_id = $2 AND id = $3""")
                .execute(Tuple.from(new Object[] { tenant.id(), executionId, call.id(), call.status().wire(),
                        json.write(call.result()), call.error(), call.durationMs(), call.toolId(),
                        json.write(call.arguments()), version, listOf(call.status()) }))
                .replaceWithVoid();
    }

    /** Every call with its list, ordered for the tool-state lists, inside the caller's (snapshot) transaction. */
    Uni<List<Listed>> all(SqlConnection conn, Tenant tenant, String executionId) {
        return conn.preparedQuery(SELECT + " WHERE tenant = $1 AND execution_id = $2 ORDER BY status_seq, seq")
                .execute(Tuple.of(tenant.id(), executionId))
                .map(rows -> {
                    List<Listed> calls = new ArrayList<>(rows.size());
                    rows.forEach(r -> calls.add(map(r)));
                    return calls;
                });
    }

    /** A call as the JSON element {@link #VALUES_FROM_JSON} reads: the CAF ToolCall plus {@code list}. */
    String row(ToolCall call, String list) {
        com.fasterxml.jackson.databind.node.ObjectNode node = json.mapper().valueToTree(call);
        node.put("list", list);
        return json.write(node);
    }

    private Listed map(Row r) {
        return new Listed(new ToolCall(r.getString(0), r.getString(1), json.readObject(r.getString(2)),
                ToolCallStatus.of(r.getString(3)), json.read(r.getString(4)), r.getString(5), r.getDouble(6),
                r.getLong(7)), r.getString(8));
    }
}
