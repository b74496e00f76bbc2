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
import io.vertx.mutiny.sqlclient.Row;

/**
 * Reads the runtime parts of an execution as one consistent snapshot. It is ONE statement
 * ({@link ExecutionRepository#SNAPSHOT}: the execution row with each part's columns aggregated as arrays), so no
 * concurrent change can land half inside it, without a transaction and in one round trip; each part's rows are
 * mapped by the part's repository, by column name.
 */
@ApplicationScoped
public class StateReader {

    private final ExecutionRepository executions;
    private final Json json;

    public StateReader(ExecutionRepository executions, Json json) {
        this.executions = executions;
        this.json = json;
    }

    /** The snapshot and the version it was taken at; 404 when the execution does not exist. */
    public Uni<Versioned<RuntimeSnapshot>> snapshot(Tenant tenant, String executionId) {
        return read(tenant, executionId).map(s -> new Versioned<>(s.snapshot(), s.version()));
    }

    /** The snapshot with the execution facts a checkpoint needs. */
    public Uni<ExecutionSnapshot> read(Tenant tenant, String executionId) {
        return executions.snapshot(tenant, executionId, true, true, true).map(this::assemble);
    }

    /** The context alone (messages, variables, memory), consistently read: the thought chain is not loaded. */
    public Uni<Versioned<Context>> context(Tenant tenant, String executionId) {
        return executions
                .snapshot(tenant, executionId, false, true, false)
                .map(this::assemble)
                .map(s -> new Versioned<>(s.snapshot().context(), s.version()));
    }

    /** The tool state alone, consistently read: neither the thought chain nor the context is loaded. */
    public Uni<Versioned<ToolState>> toolState(Tenant tenant, String executionId) {
        return executions
                .snapshot(tenant, executionId, false, false, true)
                .map(this::assemble)
                .map(s -> new Versioned<>(s.snapshot().toolState(), s.version()));
    }

    private ExecutionSnapshot assemble(Row row) {
        Columns head = Columns.of(row);
        List<ThoughtStep> steps = new ArrayList<>();
        Columns.eachOfArrays(row, "t_", "id", c -> steps.add(ThoughtRepository.step(c, json)));
        List<Message> messages = new ArrayList<>();
        Columns.eachOfArrays(row, "m_", "role", c -> messages.add(ContextRepository.message(c, json)));
        List<MemoryEntry> memory = new ArrayList<>();
        Columns.eachOfArrays(row, "k_", "key", c -> memory.add(ContextRepository.memoryEntry(c, json)));
        List<String> pending = new ArrayList<>();
        List<String> running = new ArrayList<>();
        List<ToolCall> completed = new ArrayList<>();
        List<ToolCall> failed = new ArrayList<>();
        Columns.eachOfArrays(row, "c_", "id", c -> {
            ToolCallRepository.Listed listed = ToolCallRepository.listed(c, json);
            ToolCall call = listed.call();
            switch (listed.list()) {
                case "pending" -> pending.add(call.id());
                case "running" -> running.add(call.id());
                case "completed" -> completed.add(ToolCalls.complete(call, json));
                default -> failed.add(ToolCalls.complete(call, json));
            }
        });
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
