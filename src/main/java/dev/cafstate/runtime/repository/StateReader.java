package dev.cafstate.runtime.repository;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.json.Json;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.Message;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.RuntimeSnapshot;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolState;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.runtime.api.Versioned;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads the four runtime parts of an execution as one consistent snapshot: all queries run in one
 * REPEATABLE READ, READ ONLY transaction, so no concurrent change can land half inside it.
 */
@ApplicationScoped
public class StateReader {

    private final Pool pool;
    private final Json json;
    private final ThoughtRepository thoughts;
    private final ContextRepository context;
    private final ToolCallRepository tools;

    public StateReader(Pool pool, Json json, ThoughtRepository thoughts, ContextRepository context,
            ToolCallRepository tools) {
        this.pool = pool;
        this.json = json;
        this.thoughts = thoughts;
        this.context = context;
        this.tools = tools;
    }

    /** The snapshot and the version it was taken at; 404 when the execution does not exist. */
    public Uni<Versioned<RuntimeSnapshot>> snapshot(Tenant tenant, String executionId) {
        return read(tenant, executionId).map(s -> new Versioned<>(s.snapshot(), s.version()));
    }

    /** The snapshot with the execution facts a checkpoint needs, all read in one transaction. */
    public Uni<ExecutionSnapshot> read(Tenant tenant, String executionId) {
        return read(tenant, executionId, true, true, true);
    }

    /** The context alone (messages, variables, memory), consistently read: the thought chain is not loaded. */
    public Uni<Versioned<Context>> context(Tenant tenant, String executionId) {
        return read(tenant, executionId, false, true, false)
                .map(s -> new Versioned<>(s.snapshot().context(), s.version()));
    }

    /** The tool state alone, consistently read: neither the thought chain nor the context is loaded. */
    public Uni<Versioned<ToolState>> toolState(Tenant tenant, String executionId) {
        return read(tenant, executionId, false, false, true)
                .map(s -> new Versioned<>(s.snapshot().toolState(), s.version()));
    }

    /** Reads the execution row and the wanted parts in one snapshot; parts not wanted come back empty. */
    private Uni<ExecutionSnapshot> read(Tenant tenant, String executionId, boolean chain, boolean ctx, boolean tool) {
        return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute()
                .flatMap(x -> head(conn, tenant, executionId))
                .flatMap(head -> (chain ? thoughts.all(conn, tenant, executionId) : StateReader.<ThoughtStep> none())
                        .flatMap(steps -> (ctx ? context.messages(conn, tenant, executionId) : StateReader.<Message> none())
                                .flatMap(messages -> (ctx ? context.memory(conn, tenant, executionId) : StateReader.<MemoryEntry> none())
                                        .flatMap(memory -> (tool ? tools.all(conn, tenant, executionId) : StateReader.<ToolCallRepository.Listed> none())
                                                .map(calls -> assemble(head, steps, messages, memory, calls)))))));
    }

    private static <T> Uni<List<T>> none() {
        return Uni.createFrom().item(List.of());
    }

    private Uni<Row> head(SqlConnection conn, Tenant tenant, String executionId) {
        return conn.preparedQuery("""
                SELECT version, agent_id, agent_name, parent_checkpoint_id, parent_is_branch,
                  current_step_id, variables::text, last_tool_call_id, step_number,
                  total_steps_estimate, iterations_completed, tokens_used, duration_ms
                FROM executions WHERE tenant = $1 AND id = $2""")
                .execute(Tuple.of(tenant.id(), executionId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("execution '" + executionId + "' does not exist");
                    }
                    return rows.iterator().next();
                });
    }

    private ExecutionSnapshot assemble(Row head, List<ThoughtStep> steps,
            List<Message> messages, List<MemoryEntry> memory, List<ToolCallRepository.Listed> calls) {
        List<String> pending = new ArrayList<>();
        List<String> running = new ArrayList<>();
        List<ToolCall> completed = new ArrayList<>();
        List<ToolCall> failed = new ArrayList<>();
        for (ToolCallRepository.Listed listed : calls) {
            ToolCall call = listed.call();
            switch (listed.list()) {
                case "pending" -> pending.add(call.id());
                case "running" -> running.add(call.id());
                case "completed" -> completed.add(ToolCalls.complete(call, json));
                default -> failed.add(ToolCalls.complete(call, json));
            }
        }
        ExecutionProgress progress = new ExecutionProgress(head.getLong("step_number"),
                head.getLong("total_steps_estimate"), head.getLong("iterations_completed"),
                head.getLong("tokens_used"), head.getDouble("duration_ms"));
        RuntimeSnapshot snapshot = new RuntimeSnapshot(
                new ThoughtChain(head.getString("current_step_id"), steps),
                new Context(messages, json.readObject(head.getString("variables")), memory.isEmpty() ? null : memory),
                new ToolState(head.getString("last_tool_call_id"), pending, running, completed, failed),
                progress);
        return new ExecutionSnapshot(snapshot, head.getLong("version"), head.getString("agent_id"),
                head.getString("agent_name"), head.getString("parent_checkpoint_id"),
                head.getBoolean("parent_is_branch"));
    }
}
