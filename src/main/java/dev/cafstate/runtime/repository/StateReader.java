package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.Message;
import dev.cafstate.caf.RuntimeSnapshot;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolState;
import dev.cafstate.common.db.Columns;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.runtime.api.Versioned;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Reads the runtime parts of an execution as one consistent snapshot: the execution row and each wanted part's rows
 * ({@link ExecutionRepository#HEAD}, {@link ThoughtRepository#ALL}, {@link ContextRepository#MESSAGES},
 * {@link ContextRepository#MEMORY}, {@link ToolCallRepository#ALL}) in one {@code REPEATABLE READ, READ ONLY}
 * transaction, so no concurrent change can land half inside it. The queries are sent together (pipelined on the
 * connection), so the read costs the transaction's round trips, not one per part. Measured at 10,000 steps: one
 * statement reading all parts as a {@code json_agg} took 81 ms, as arrays per column 53 ms, as a {@code UNION ALL} of
 * the parts' rows 47 ms, against 27 ms for these narrow queries.
 */
@ApplicationScoped
public class StateReader {

    private final Pool pool;
    private final ExecutionRepository executions;
    private final ThoughtRepository thoughts;
    private final ContextRepository context;
    private final ToolCallRepository tools;
    private final Json json;

    public StateReader(
            Pool pool,
            ExecutionRepository executions,
            ThoughtRepository thoughts,
            ContextRepository context,
            ToolCallRepository tools,
            Json json) {
        this.pool = pool;
        this.executions = executions;
        this.thoughts = thoughts;
        this.context = context;
        this.tools = tools;
        this.json = json;
    }

    /** The snapshot and the version it was taken at; 404 when the execution does not exist. */
    public Uni<Versioned<RuntimeSnapshot>> snapshot(Tenant tenant, String executionId) {
        return read(tenant, executionId).map(s -> new Versioned<>(s.snapshot(), s.version()));
    }

    /** The snapshot with the execution facts a checkpoint needs. */
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

    private Uni<ExecutionSnapshot> read(Tenant tenant, String executionId, boolean chain, boolean ctx, boolean tool) {
        return pool.withTransaction(conn -> {
            // subscribed in this order, so sent in this order without waiting: SET first, then the reads
            Uni<Void> isolation = conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute()
                    .replaceWithVoid();
            Uni<Columns> head = executions.head(conn, tenant, executionId);
            Uni<List<ThoughtStep>> steps = chain ? thoughts.all(conn, tenant, executionId) : none();
            Uni<List<Message>> messages = ctx ? context.messages(conn, tenant, executionId) : none();
            Uni<List<MemoryEntry>> memory = ctx ? context.memory(conn, tenant, executionId) : none();
            Uni<List<ToolCallRepository.Listed>> calls = tool ? tools.all(conn, tenant, executionId) : none();
            return Uni.combine()
                    .all()
                    .unis(isolation, head, steps, messages, memory, calls)
                    .with((i, h, s, m, k, c) -> assemble(h, s, m, k, c));
        });
    }

    private static <T> Uni<List<T>> none() {
        return Uni.createFrom().item(List.of());
    }

    private ExecutionSnapshot assemble(
            Columns head,
            List<ThoughtStep> steps,
            List<Message> messages,
            List<MemoryEntry> memory,
            List<ToolCallRepository.Listed> calls) {
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
        RuntimeSnapshot snapshot = new RuntimeSnapshot(
                new ThoughtChain(head.text("current_step_id"), steps),
                new Context(messages, json.readObject(head.text("variables")), memory.isEmpty() ? null : memory),
                new ToolState(head.text("last_tool_call_id"), pending, running, completed, failed),
                ExecutionRepository.progress(head));
        return new ExecutionSnapshot(
                snapshot,
                head.int64("version"),
                head.text("agent_id"),
                head.text("agent_name"),
                head.text("parent_checkpoint_id"),
                head.bool("parent_is_branch"),
                head.text("owner_cluster"),
                head.text("handoff_id"));
    }
}
