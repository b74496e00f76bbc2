package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolCallStatus;
import dev.cafstate.caf.ToolState;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Writes whole runtime parts in bulk, each part's rows from one JSON array, all parts in one statement
 * ({@link #INSERT_PARTS}), after the execution row was written (seeding a new execution) or after the old rows were
 * deleted in one statement ({@link #DELETE_PARTS}, a restore). Each part's SQL is its repository's; this class only
 * composes them. Runs inside the caller's transaction.
 * <p>
 * Order is kept exactly: steps and messages by their position; memory entries and tool calls get negative order
 * keys ({@code -n..-1}), below every key a later change takes (the execution's version, always positive), so a
 * memory key put or a call finished after a restore goes last, as it would in CAF.
 */
@ApplicationScoped
public class StateWriter {

    static final Statement DELETE_PARTS = Statement.of("""
            WITH a AS (%s),
            b AS (%s),
            c AS (%s)
            %s""".formatted(
                    ThoughtRepository.DELETE_ALL,
                    ContextRepository.DELETE_MESSAGES,
                    ContextRepository.DELETE_MEMORY_ALL,
                    ToolCallRepository.DELETE_ALL));

    static final Statement INSERT_PARTS = Statement.of("""
            WITH a AS (
              %s),
            b AS (
              %s),
            c AS (
              %s)
            %s""".formatted(
                    ThoughtRepository.INSERT_ALL,
                    ContextRepository.INSERT_MESSAGES,
                    ContextRepository.INSERT_MEMORY,
                    ToolCallRepository.INSERT_ALL));

    private final Json json;
    private final ToolCallRepository tools;

    public StateWriter(Json json, ToolCallRepository tools) {
        this.json = json;
        this.tools = tools;
    }

    /** Whole parts ready to write: the execution row's head and each part's rows as a JSON array. */
    public record Whole(
            RuntimeHead head,
            String steps,
            String messages,
            String memory,
            long memoryCount,
            String calls,
            long callCount) {

        boolean hasRows() {
            return head.stepCount() + head.messageCount() + memoryCount + callCount > 0;
        }
    }

    /** The parts of a snapshot (or of an initial state, where any part may be missing) as rows to write. */
    public Whole whole(ThoughtChain chain, Context context, ToolState toolState, ExecutionProgress progress) {
        ThoughtChain c = chain == null ? new ThoughtChain(null, List.of()) : chain;
        Context ctx = context == null ? new Context(List.of(), null, null) : context;
        ToolState t = toolState == null ? new ToolState(null, List.of(), List.of(), List.of(), List.of()) : toolState;
        ExecutionProgress p = progress == null ? ExecutionProgress.zero() : progress;
        List<String> calls = toolRows(t);
        List<MemoryEntry> memory = ctx.memory() == null ? List.of() : ctx.memory();
        RuntimeHead head = new RuntimeHead(
                c.steps().size(),
                ctx.messages().size(),
                calls.size(),
                c.currentStepId(),
                ctx.variables() == null ? "{}" : json.write(ctx.variables()),
                t.lastToolCallId(),
                p);
        return new Whole(
                head,
                json.write(c.steps()),
                json.write(ctx.messages()),
                json.write(memory),
                memory.size(),
                "[" + String.join(",", calls) + "]",
                calls.size());
    }

    /** Deletes every row of the four parts (the execution row stays). */
    public Uni<Void> deleteParts(SqlConnection conn, Tenant tenant, String executionId) {
        return DELETE_PARTS
                .run(conn, Params.of().put("tenant", tenant.id()).put("execution", executionId))
                .replaceWithVoid();
    }

    /** Inserts the parts' rows of an execution that has none; nothing is sent when there are no rows. */
    public Uni<Void> insertParts(SqlConnection conn, Tenant tenant, String executionId, Whole whole) {
        if (!whole.hasRows()) {
            return Uni.createFrom().voidItem();
        }
        return INSERT_PARTS
                .run(
                        conn,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", executionId)
                                .put("steps", whole.steps())
                                .put("messages", whole.messages())
                                .put("memory", whole.memory())
                                .put("memory_count", whole.memoryCount())
                                .put("calls", whole.calls())
                                .put("call_count", whole.callCount()))
                .replaceWithVoid();
    }

    /**
     * Tool-state lists as rows, each keeping the list it was in: ids-only pending/running calls get no tool or
     * arguments.
     */
    private List<String> toolRows(ToolState t) {
        List<String> rows = new ArrayList<>();
        t.pending()
                .forEach(id -> rows.add(tools.row(
                        new ToolCall(id, null, null, ToolCallStatus.PENDING, null, null, null, 0L), "pending")));
        t.running()
                .forEach(id -> rows.add(tools.row(
                        new ToolCall(id, null, null, ToolCallStatus.RUNNING, null, null, null, 0L), "running")));
        t.completed().forEach(call -> rows.add(tools.row(call, "completed")));
        t.failed().forEach(call -> rows.add(tools.row(call, "failed")));
        return rows;
    }
}
