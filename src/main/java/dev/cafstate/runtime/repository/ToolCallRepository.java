package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolCallStatus;
import dev.cafstate.common.db.Columns;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.events.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Tool calls in PostgreSQL ({@code runtime_tool_calls}): one row per call with its status and the tool-state list it
 * sits in; the lists are views of the rows, ordered by {@code status_seq}. {@code arguments} and {@code result} are
 * {@code json}, kept as written.
 */
@ApplicationScoped
public class ToolCallRepository {

    private static final String COLUMNS = "id, tool_id, arguments, status, result, error, duration_ms, ts, list";

    /** The columns {@link #listed} reads, by name. */
    private static final String CALL_COLUMNS = """
            id, tool_id, arguments::text AS arguments, status, result::text AS result, error, duration_ms, ts, list""";

    /** Values of {@link #COLUMNS} taken from JSON element {@code t.value} (a CAF ToolCall plus its list). */
    private static final String VALUES_FROM_JSON = """
            t.value ->> 'id', t.value ->> 'tool_id', t.value -> 'arguments', t.value ->> 'status',
                t.value -> 'result', t.value ->> 'error', (t.value ->> 'duration_ms')::float8,
                (t.value ->> 'timestamp')::numeric::bigint, t.value ->> 'list'""";

    /** Every call with its list, in list order (read inside the snapshot's transaction). */
    static final Statement ALL = Statement.of("SELECT " + CALL_COLUMNS
            + " FROM runtime_tool_calls WHERE tenant = :tenant AND execution_id = :execution ORDER BY status_seq, seq");

    /**
     * Inserts all calls {@code :calls} (JSON array of {@link #row}s, list by list) of a new or emptied execution, with
     * negative order keys ({@code -n..-1}, {@code :call_count} = n) below every key a later transition takes.
     */
    static final String INSERT_ALL = """
            INSERT INTO runtime_tool_calls (tenant, execution_id, seq, status_seq, %s)
              SELECT :tenant, :execution, t.ord, t.ord - :call_count - 1, %s
              FROM json_array_elements(:calls::text::json) WITH ORDINALITY AS t(value, ord)
            """.formatted(COLUMNS, VALUES_FROM_JSON);

    static final String DELETE_ALL = """
            DELETE FROM runtime_tool_calls WHERE tenant = :tenant AND execution_id = :execution""";

    static final Statement CREATE = Statement.of("""
            WITH %s,
            i AS (
              INSERT INTO runtime_tool_calls (tenant, execution_id, seq, status_seq, %s)
              SELECT :tenant, :execution, e.tool_call_count, e.version, %s
              FROM e, json_array_elements(:calls::text::json) AS t(value)
              ON CONFLICT DO NOTHING
              RETURNING 1),
            %s
            SELECT e.version,
              CASE WHEN (SELECT count(*) FROM i) = 0 THEN caf_fail('duplicate_tool_call') ELSE 0 END AS ok
            FROM e""".formatted(
                    ExecutionRepository.bumpCte("tool_call_count = tool_call_count + 1, last_tool_call_id = :call"),
                    COLUMNS,
                    VALUES_FROM_JSON,
                    OutboxRepository.insertCte("e")));

    private static final Statement LOCK = Statement.of("""
            SELECT %s FROM runtime_tool_calls WHERE tenant = :tenant AND execution_id = :execution AND id = :call
            FOR UPDATE""".formatted(CALL_COLUMNS));

    /** A call's transition: it moves to the end of the list of its new status ({@code :version}, the change's). */
    private static final Statement UPDATE = Statement.of("""
            UPDATE runtime_tool_calls SET status = :status, result = :result::text::json, error = :error,
              duration_ms = :duration_ms, tool_id = :tool_id, arguments = :arguments::text::json,
              status_seq = :version, list = :list
            WHERE tenant = :tenant AND execution_id = :execution AND id = :call""");

    private final Mutations mutations;
    private final Json json;

    public ToolCallRepository(Mutations mutations, Json json) {
        this.mutations = mutations;
        this.json = json;
    }

    /** A call with the tool-state list it sits in ({@code pending, running, completed, failed}). */
    public record Listed(ToolCall call, String list) {}

    /** The list a call in this status belongs to when the runtime moves it (cancelled calls are listed as failed). */
    public static String listOf(ToolCallStatus status) {
        return status == ToolCallStatus.CANCELLED ? "failed" : status.wire();
    }

    /** Records a new call and its {@code tool.called} event; returns the new version. */
    public Uni<Long> create(
            Tenant tenant, String executionId, IfMatch expected, long now, ToolCall call, String events) {
        Mutations.Change change = new Mutations.Change(tenant, executionId, expected, now, events);
        return mutations.single(
                CREATE,
                change,
                change.params().put("call", call.id()).put("calls", "[" + row(call, listOf(call.status())) + "]"),
                Map.of("duplicate_tool_call", () -> new StateConflict("tool call '" + call.id() + "' already exists")));
    }

    /** The call as stored, inside an open change, locked for update; 404 when unknown. */
    public Uni<ToolCall> lock(SqlConnection conn, Tenant tenant, String executionId, String callId) {
        return LOCK.run(
                        conn,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", executionId)
                                .put("call", callId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("tool call '" + callId + "' does not exist");
                    }
                    return listed(Columns.of(rows.iterator().next()), json).call();
                });
    }

    /** Writes a call's new status and outcome; it moves to the end of the list of its new status. */
    public Uni<Void> update(SqlConnection conn, Tenant tenant, String executionId, long version, ToolCall call) {
        return UPDATE.run(
                        conn,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", executionId)
                                .put("call", call.id())
                                .put("status", call.status().wire())
                                .put("result", json.write(call.result()))
                                .put("error", call.error())
                                .put("duration_ms", call.durationMs())
                                .put("tool_id", call.toolId())
                                .put("arguments", json.write(call.arguments()))
                                .put("version", version)
                                .put("list", listOf(call.status())))
                .replaceWithVoid();
    }

    /** A call as the JSON element {@link #VALUES_FROM_JSON} reads: the CAF ToolCall plus {@code list}. */
    String row(ToolCall call, String list) {
        ObjectNode node = json.mapper().valueToTree(call);
        node.put("list", list);
        return json.write(node);
    }

    /** Every call with its list in list order, through {@code client} (the snapshot's transaction). */
    Uni<List<Listed>> all(SqlClient client, Tenant tenant, String executionId) {
        return ALL.run(client, Params.of().put("tenant", tenant.id()).put("execution", executionId))
                .map(rows -> {
                    List<Listed> list = new ArrayList<>(rows.size());
                    Columns.each(rows).forEach(c -> list.add(listed(c, json)));
                    return list;
                });
    }

    /** A call and its list from the columns of {@link #CALL_COLUMNS}. */
    static Listed listed(Columns c, Json json) {
        return new Listed(
                new ToolCall(
                        c.text("id"),
                        c.text("tool_id"),
                        json.readObject(c.text("arguments")),
                        ToolCallStatus.of(c.text("status")),
                        json.read(c.text("result")),
                        c.text("error"),
                        c.float8("duration_ms"),
                        c.int64("ts")),
                c.text("list"));
    }
}
