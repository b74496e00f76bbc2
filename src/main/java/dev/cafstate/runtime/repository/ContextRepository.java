package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.Message;
import dev.cafstate.caf.MessageRole;
import dev.cafstate.common.db.Columns;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.events.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * The context in PostgreSQL: message rows ({@code runtime_messages}), memory rows by key ({@code runtime_memory}),
 * and variables on the execution row (written through {@link ExecutionRepository#bumpCte}). Free-form values
 * (variables, memory values, a message's tool calls and results) are {@code json}: kept as written, member order
 * included.
 */
@ApplicationScoped
public class ContextRepository {

    /** Column values of a message taken from JSON element {@code m.value} (the CAF Message shape). */
    private static final String MESSAGE_VALUES = """
            m.value ->> 'role', m.value ->> 'content', m.value -> 'tool_calls', m.value -> 'tool_results',
              (m.value ->> 'timestamp')::numeric::bigint""";

    /** Every message in order (read inside the snapshot's transaction). */
    static final Statement MESSAGES = Statement.of("""
            SELECT role, content, tool_calls::text AS tool_calls, tool_results::text AS tool_results, ts
            FROM runtime_messages WHERE tenant = :tenant AND execution_id = :execution ORDER BY seq""");

    /** Every memory entry in order of first insertion (read inside the snapshot's transaction). */
    static final Statement MEMORY = Statement.of("""
            SELECT key, value::text AS value, importance, ts
            FROM runtime_memory WHERE tenant = :tenant AND execution_id = :execution ORDER BY seq, key""");

    /** Inserts all messages {@code :messages} (JSON array, in order) of a new or emptied execution. */
    static final String INSERT_MESSAGES = """
            INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls, tool_results, ts)
              SELECT :tenant, :execution, m.ord, %s
              FROM json_array_elements(:messages::text::json) WITH ORDINALITY AS m(value, ord)
            """.formatted(MESSAGE_VALUES);

    /**
     * Inserts all memory entries {@code :memory} (JSON array, in order) with negative order keys
     * ({@code -n..-1}, {@code :memory_count} = n): below every key a later put takes (a version), so a key put after a
     * restore goes last, as in CAF.
     */
    static final String INSERT_MEMORY = """
            INSERT INTO runtime_memory (tenant, execution_id, seq, key, value, importance, ts)
              SELECT :tenant, :execution, m.ord - :memory_count - 1, m.value ->> 'key', m.value -> 'value',
                (m.value ->> 'importance')::float8, (m.value ->> 'timestamp')::numeric::bigint
              FROM json_array_elements(:memory::text::json) WITH ORDINALITY AS m(value, ord)""";

    static final String DELETE_MEMORY_ALL = """
            DELETE FROM runtime_memory WHERE tenant = :tenant AND execution_id = :execution""";

    /** Inserts messages {@code :messages} at positions {@code :message_seqs} (one per message, in order). */
    static final String INSERT_MESSAGES_AT = """
            INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls, tool_results, ts)
              SELECT :tenant, :execution, q.seq, %s
              FROM json_array_elements(:messages::text::json) WITH ORDINALITY AS m(value, ord)
              JOIN unnest(:message_seqs::bigint[]) WITH ORDINALITY AS q(seq, ord) ON q.ord = m.ord
            """.formatted(MESSAGE_VALUES);

    /** Deletes the messages at positions {@code :gone_messages}. */
    static final String DELETE_MESSAGES_AT = """
            DELETE FROM runtime_messages WHERE tenant = :tenant AND execution_id = :execution
              AND seq = ANY(:gone_messages::bigint[])""";

    static final Statement APPEND_MESSAGES = Statement.of("""
            WITH %s,
            i AS (
              INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls, tool_results, ts)
              SELECT :tenant, :execution, e.message_count - :count + m.ord, %s
              FROM e, json_array_elements(:messages::text::json) WITH ORDINALITY AS m(value, ord)
              RETURNING 1),
            %s
            SELECT e.version FROM e""".formatted(
                    ExecutionRepository.bumpCte("message_count = message_count + :count"),
                    MESSAGE_VALUES,
                    OutboxRepository.insertCte("e")));

    static final Statement PATCH_VARIABLES = Statement.of("""
            WITH %s,
            %s
            SELECT e.version FROM e""".formatted(
                    ExecutionRepository.bumpCte(
                            "variables = COALESCE(json_merge_patch(variables, :patch::text::json), '{}'::json)"),
                    OutboxRepository.insertCte("e")));

    static final Statement PUT_MEMORY =
            Statement.of("""
            WITH %s,
            u AS (
              INSERT INTO runtime_memory (tenant, execution_id, key, seq, value, importance, ts)
              SELECT :tenant, :execution, :key, e.version, :value::text::json, :importance, :ts FROM e
              ON CONFLICT (tenant, execution_id, key)
              DO UPDATE SET value = EXCLUDED.value, importance = EXCLUDED.importance, ts = EXCLUDED.ts
              RETURNING 1),
            %s
            SELECT e.version FROM e""".formatted(ExecutionRepository.bumpCte(""), OutboxRepository.insertCte("e")));

    static final Statement DELETE_MEMORY =
            Statement.of("""
            WITH %s,
            d AS (
              DELETE FROM runtime_memory m USING e
              WHERE m.tenant = :tenant AND m.execution_id = :execution AND m.key = :key
              RETURNING 1),
            %s
            SELECT e.version,
              CASE WHEN (SELECT count(*) FROM d) = 0 THEN caf_fail('unknown_memory') ELSE 0 END AS ok
            FROM e""".formatted(ExecutionRepository.bumpCte(""), OutboxRepository.insertCte("e")));

    private final Mutations mutations;
    private final Json json;

    public ContextRepository(Mutations mutations, Json json) {
        this.mutations = mutations;
        this.json = json;
    }

    /** Appends messages (timestamps set) and the event; returns the new version. */
    public Uni<Long> appendMessages(
            Tenant tenant, String executionId, IfMatch expected, long now, List<Message> messages, String events) {
        Mutations.Change change = new Mutations.Change(tenant, executionId, expected, now, events);
        return mutations.single(
                APPEND_MESSAGES,
                change,
                change.params().put("count", (long) messages.size()).put("messages", json.write(messages)),
                Map.of());
    }

    /** Applies an RFC 7396 merge patch to the variables in the database; returns the new version. */
    public Uni<Long> patchVariables(
            Tenant tenant, String executionId, IfMatch expected, long now, String patch, String events) {
        Mutations.Change change = new Mutations.Change(tenant, executionId, expected, now, events);
        return mutations.single(PATCH_VARIABLES, change, change.params().put("patch", patch), Map.of());
    }

    /** Inserts or replaces one memory entry (an existing key keeps its place); returns the new version. */
    public Uni<Long> putMemory(
            Tenant tenant, String executionId, IfMatch expected, long now, MemoryEntry entry, String events) {
        Mutations.Change change = new Mutations.Change(tenant, executionId, expected, now, events);
        return mutations.single(
                PUT_MEMORY,
                change,
                change.params()
                        .put("key", entry.key())
                        .put("value", json.write(entry.value()))
                        .put("importance", entry.importance())
                        .put("ts", entry.timestamp()),
                Map.of());
    }

    /** Removes one memory entry; 404 when the key is not there. Returns the new version. */
    public Uni<Long> deleteMemory(
            Tenant tenant, String executionId, IfMatch expected, long now, String key, String events) {
        Mutations.Change change = new Mutations.Change(tenant, executionId, expected, now, events);
        return mutations.single(
                DELETE_MEMORY,
                change,
                change.params().put("key", key),
                Map.of("unknown_memory", () -> new ResourceNotFound("memory key '" + key + "' does not exist")));
    }

    /** Every message in order, through {@code client} (the snapshot's transaction). */
    Uni<List<Message>> messages(SqlClient client, Tenant tenant, String executionId) {
        return MESSAGES.run(client, Params.of().put("tenant", tenant.id()).put("execution", executionId))
                .map(rows -> {
                    List<Message> list = new ArrayList<>(rows.size());
                    Columns.each(rows).forEach(c -> list.add(message(c, json)));
                    return list;
                });
    }

    /** Every memory entry in order, through {@code client} (the snapshot's transaction). */
    Uni<List<MemoryEntry>> memory(SqlClient client, Tenant tenant, String executionId) {
        return MEMORY.run(client, Params.of().put("tenant", tenant.id()).put("execution", executionId))
                .map(rows -> {
                    List<MemoryEntry> list = new ArrayList<>(rows.size());
                    Columns.each(rows).forEach(c -> list.add(memoryEntry(c, json)));
                    return list;
                });
    }

    /** A message from the columns of {@link #MESSAGES}. */
    static Message message(Columns c, Json json) {
        return new Message(
                MessageRole.of(c.text("role")),
                c.text("content"),
                json.read(c.text("tool_calls")),
                json.read(c.text("tool_results")),
                c.int64("ts"));
    }

    /** A memory entry from the columns of {@link #MEMORY}. */
    static MemoryEntry memoryEntry(Columns c, Json json) {
        return new MemoryEntry(c.text("key"), json.read(c.text("value")), c.float8("importance"), c.int64("ts"));
    }
}
