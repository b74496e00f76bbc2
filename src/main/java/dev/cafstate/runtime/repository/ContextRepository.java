package dev.cafstate.runtime.repository;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.json.Json;

import dev.cafstate.common.http.IfMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.Message;
import dev.cafstate.caf.MessageRole;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.events.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The context in PostgreSQL: message rows, memory rows by key, and variables on the execution row. Free-form values
 * (variables, memory values, a message's tool calls and results) are {@code json}: kept as written, member order
 * included.
 */
@ApplicationScoped
public class ContextRepository {

    /** Column values of a message taken from JSON element {@code m.value} (the CAF Message shape). */
    static final String MESSAGE_COLUMNS = """
            m.value ->> 'role', m.value ->> 'content', m.value -> 'tool_calls', m.value -> 'tool_results',
            (m.value ->> 'timestamp')::bigint""";

    private static final String APPEND_MESSAGES = "WITH " + Mutations.bumpCte("message_count = message_count + $6")
            + """
                    , i AS (
                      INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls,
                        tool_results, ts)
                      SELECT $1, $2, e.message_count - $6 + m.ord, %s
                      FROM e, json_array_elements($7::text::json) WITH ORDINALITY AS m(value, ord)
                      RETURNING 1)
                    , %s
                    SELECT e.version FROM e""".formatted(MESSAGE_COLUMNS, OutboxRepository.insertCte(5));

    private static final String PATCH_VARIABLES = "WITH "
            + Mutations.bumpCte("variables = COALESCE(json_merge_patch(variables, $6::text::json), '{}'::json)")
            + ", " + OutboxRepository.insertCte(5) + " SELECT e.version FROM e";

    private static final String PUT_MEMORY = "WITH " + Mutations.bumpCte("") + """
            , u AS (
              INSERT INTO runtime_memory (tenant, execution_id, key, seq, value, importance, ts)
              SELECT $1, $2, $6, e.version, $7::text::json, $8, $9 FROM e
              ON CONFLICT (tenant, execution_id, key)
              DO UPDATE SET value = EXCLUDED.value, importance = EXCLUDED.importance, ts = EXCLUDED.ts
              RETURNING 1)
            , %s
            SELECT e.version FROM e""".formatted(OutboxRepository.insertCte(5));

    private static final String DELETE_MEMORY = "WITH " + Mutations.bumpCte("") + """
            , d AS (
              DELETE FROM runtime_memory m USING e
              WHERE m.tenant = $1 AND m.execution_id = $2 AND m.key = $6
              RETURNING 1)
            , %s
            SELECT e.version,
              CASE WHEN (SELECT count(*) FROM d) = 0 THEN caf_fail('unknown_memory') ELSE 0 END AS ok
            FROM e""".formatted(OutboxRepository.insertCte(5));

    private final Mutations mutations;
    private final Json json;

    public ContextRepository(Mutations mutations, Json json) {
        this.mutations = mutations;
        this.json = json;
    }

    /** Appends messages (timestamps set) and the event; returns the new version. */
    public Uni<Long> appendMessages(Tenant tenant, String executionId, IfMatch expected, long now,
            List<Message> messages, String events) {
        return mutations.single(APPEND_MESSAGES, Tuple.from(new Object[] { tenant.id(), executionId, now, IfMatch.sql(expected),
                events, (long) messages.size(), json.write(messages) }), Map.of());
    }

    /** Applies an RFC 7396 merge patch to the variables in the database; returns the new version. */
    public Uni<Long> patchVariables(Tenant tenant, String executionId, IfMatch expected, long now, String patch,
            String events) {
        return mutations.single(PATCH_VARIABLES,
                Tuple.from(new Object[] { tenant.id(), executionId, now, IfMatch.sql(expected), events, patch }), Map.of());
    }

    /** Inserts or replaces one memory entry (an existing key keeps its place); returns the new version. */
    public Uni<Long> putMemory(Tenant tenant, String executionId, IfMatch expected, long now, MemoryEntry entry,
            String events) {
        return mutations.single(PUT_MEMORY, Tuple.from(new Object[] { tenant.id(), executionId, now, IfMatch.sql(expected), events,
                entry.key(), json.write(entry.value()), entry.importance(), entry.timestamp() }), Map.of());
    }

    /** Removes one memory entry; 404 when the key is not there. Returns the new version. */
    public Uni<Long> deleteMemory(Tenant tenant, String executionId, IfMatch expected, long now, String key,
            String events) {
        return mutations.single(DELETE_MEMORY,
                Tuple.from(new Object[] { tenant.id(), executionId, now, IfMatch.sql(expected), events, key }),
                Map.of("unknown_memory", () -> new ResourceNotFound("memory key '" + key + "' does not exist")));
    }

    /** Every message in order, inside the caller's (snapshot) transaction. */
    Uni<List<Message>> messages(SqlConnection conn, Tenant tenant, String executionId) {
        return conn.preparedQuery("""
                SELECT role, content, tool_calls::text, tool_results::text, ts FROM runtime_messages
                WHERE tenant = $1 AND execution_id = $2 ORDER BY seq""")
                .execute(Tuple.of(tenant.id(), executionId))
                .map(rows -> {
                    List<Message> list = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        list.add(new Message(MessageRole.of(r.getString(0)), r.getString(1), json.read(r.getString(2)),
                                json.read(r.getString(3)), r.getLong(4)));
                    }
                    return list;
                });
    }

    /** Every memory entry in order of first insertion, inside the caller's (snapshot) transaction. */
    Uni<List<MemoryEntry>> memory(SqlConnection conn, Tenant tenant, String executionId) {
        return conn.preparedQuery("""
                SELECT key, value::text, importance, ts FROM runtime_memory
                WHERE tenant = $1 AND execution_id = $2 ORDER BY seq, key""")
                .execute(Tuple.of(tenant.id(), executionId))
                .map(rows -> {
                    List<MemoryEntry> list = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        list.add(new MemoryEntry(r.getString(0), json.read(r.getString(1)), r.getDouble(2),
                                r.getLong(3)));
                    }
                    return list;
                });
    }
}
