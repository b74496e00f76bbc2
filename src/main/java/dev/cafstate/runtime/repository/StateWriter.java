package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.Message;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ThoughtStep;
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
 * ({@link #INSERT_PARTS}) after the execution row was written (seeding a new execution, a fork), or replaces them
 * writing only what differs ({@link #replaceParts}, a restore in place). Each part's SQL is its repository's; this
 * class only composes them. Runs inside the caller's transaction.
 * <p>
 * Order is kept exactly: steps and messages by their position; memory entries and tool calls get negative order
 * keys ({@code -n..-1}), below every key a later change takes (the execution's version, always positive), so a
 * memory key put or a call finished after a restore goes last, as it would in CAF.
 */
@ApplicationScoped
public class StateWriter {

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

    /**
     * A restore's deletion when the service compared the parts ({@link #replaceParts}): the steps and messages at
     * the positions that differ, and every memory entry and tool call (their order keys are renumbered).
     */
    static final Statement DELETE_CHANGED = Statement.of("""
            WITH a AS (%s),
            b AS (%s),
            c AS (%s)
            %s""".formatted(
                    ThoughtRepository.DELETE_AT,
                    ContextRepository.DELETE_MESSAGES_AT,
                    ContextRepository.DELETE_MEMORY_ALL,
                    ToolCallRepository.DELETE_ALL));

    /** A restore's insertion after {@link #DELETE_CHANGED}: the steps and messages at their positions, and the rest. */
    static final Statement INSERT_CHANGED = Statement.of("""
            WITH a AS (
              %s),
            b AS (
              %s),
            c AS (
              %s)
            %s""".formatted(
                    ThoughtRepository.INSERT_AT,
                    ContextRepository.INSERT_MESSAGES_AT,
                    ContextRepository.INSERT_MEMORY,
                    ToolCallRepository.INSERT_ALL));

    private final Json json;
    private final ToolCallRepository tools;
    private final ThoughtRepository thoughts;
    private final ContextRepository context;

    public StateWriter(Json json, ToolCallRepository tools, ThoughtRepository thoughts, ContextRepository context) {
        this.json = json;
        this.tools = tools;
        this.thoughts = thoughts;
        this.context = context;
    }

    /**
     * Replaces the parts of an execution with {@code whole} (of {@code chain} and {@code ctx}) inside the caller's
     * transaction, writing only what differs: the current steps and messages are read, compared position by position
     * with the restored ones (as the JSON the service writes, member order included), and only the positions that
     * differ are deleted and written again; memory and tool calls are replaced whole. A long chain restored to a
     * checkpoint a few steps back rewrites those few steps.
     */
    public Uni<Void> replaceParts(
            SqlConnection conn, Tenant tenant, String executionId, ThoughtChain chain, Context ctx, Whole whole) {
        List<ThoughtStep> steps = chain == null ? List.of() : chain.steps();
        List<Message> messages = ctx == null ? List.of() : ctx.messages();
        return thoughts.all(conn, tenant, executionId)
                .flatMap(currentSteps -> context.messages(conn, tenant, executionId)
                        .flatMap(currentMessages -> {
                            Changed<ThoughtStep> s = Changed.of(currentSteps, steps, json);
                            Changed<Message> m = Changed.of(currentMessages, messages, json);
                            Params p = Params.of().put("tenant", tenant.id()).put("execution", executionId);
                            return DELETE_CHANGED
                                    .run(
                                            conn,
                                            Params.of()
                                                    .put("tenant", tenant.id())
                                                    .put("execution", executionId)
                                                    .put("gone_steps", s.gone())
                                                    .put("gone_messages", m.gone()))
                                    .flatMap(x -> INSERT_CHANGED.run(
                                            conn,
                                            p.put("steps", json.write(s.written()))
                                                    .put("step_seqs", s.writtenAt())
                                                    .put("messages", json.write(m.written()))
                                                    .put("message_seqs", m.writtenAt())
                                                    .put("memory", whole.memory())
                                                    .put("memory_count", whole.memoryCount())
                                                    .put("calls", whole.calls())
                                                    .put("call_count", whole.callCount())))
                                    .replaceWithVoid();
                        }));
    }

    /** Positions (1-based) that differ between the current items and the restored ones, and what to write there. */
    record Changed<T>(Long[] gone, List<T> written, Long[] writtenAt) {

        static <T> Changed<T> of(List<T> current, List<T> restored, Json json) {
            List<Long> gone = new ArrayList<>();
            List<T> written = new ArrayList<>();
            List<Long> at = new ArrayList<>();
            for (int i = 0; i < Math.max(current.size(), restored.size()); i++) {
                T was = i < current.size() ? current.get(i) : null;
                T is = i < restored.size() ? restored.get(i) : null;
                if (was != null && is != null && json.write(was).equals(json.write(is))) {
                    continue;
                }
                if (was != null) {
                    gone.add(i + 1L);
                }
                if (is != null) {
                    written.add(is);
                    at.add(i + 1L);
                }
            }
            return new Changed<>(gone.toArray(Long[]::new), written, at.toArray(Long[]::new));
        }
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
