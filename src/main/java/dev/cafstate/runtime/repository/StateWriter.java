package dev.cafstate.runtime.repository;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.json.Json;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolCallStatus;
import dev.cafstate.caf.ToolState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes whole runtime parts in bulk (one statement per part, from a JSON array): seeding a new execution, and
 * replacing an execution's state on restore. Runs inside the caller's transaction.
 * <p>
 * Order is kept exactly: steps and messages by their position; memory entries and tool calls get negative order
 * keys ({@code -n..-1}), below every key a later change takes (the execution's version, always positive), so a
 * memory key put or a call finished after a restore goes last, as it would in CAF.
 */
@ApplicationScoped
public class StateWriter {

    private final Json json;
    private final ToolCallRepository tools;

    public StateWriter(Json json, ToolCallRepository tools) {
        this.json = json;
        this.tools = tools;
    }

    /** Replaces all four parts of an execution (existing rows of the parts are deleted first). */
    public Uni<Void> replace(SqlConnection conn, Tenant tenant, String executionId, ThoughtChain chain,
            Context context, ToolState toolState, ExecutionProgress progress) {
        ThoughtChain c = chain == null ? new ThoughtChain(null, List.of()) : chain;
        Context ctx = context == null ? new Context(List.of(), null, null) : context;
        ToolState t = toolState == null ? new ToolState(null, List.of(), List.of(), List.of(), List.of()) : toolState;
        ExecutionProgress p = progress == null ? ExecutionProgress.zero() : progress;
        List<String> calls = toolRows(t);
        List<?> memory = ctx.memory() == null ? List.of() : ctx.memory();
        Tuple ids = Tuple.of(tenant.id(), executionId);
        return conn.preparedQuery("""
                WITH a AS (DELETE FROM runtime_thoughts WHERE tenant = $1 AND execution_id = $2),
                     b AS (DELETE FROM runtime_messages WHERE tenant = $1 AND execution_id = $2),
                     c AS (DELETE FROM runtime_memory WHERE tenant = $1 AND execution_id = $2)
                DELETE FROM runtime_tool_calls WHERE tenant = $1 AND execution_id = $2""").execute(ids)
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_thoughts (tenant, execution_id, seq, id, type, content, reasoning,
                          confidence, alternatives, parent_id, children, metadata, ts)
                        SELECT $1, $2, s.ord, %s
                        FROM json_array_elements($3::text::json) WITH ORDINALITY AS s(value, ord)"""
                        .formatted(ThoughtRepository.STEP_COLUMNS))
                        .execute(Tuple.of(tenant.id(), executionId, json.write(c.steps()))))
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls,
                          tool_results, ts)
                        SELECT $1, $2, m.ord, %s
                        FROM json_array_elements($3::text::json) WITH ORDINALITY AS m(value, ord)"""
                        .formatted(ContextRepository.MESSAGE_COLUMNS))
                        .execute(Tuple.of(tenant.id(), executionId, json.write(ctx.messages()))))
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_memory (tenant, execution_id, seq, key, value, importance, ts)
                        SELECT $1, $2, m.ord - $4 - 1, m.value ->> 'key', m.value -> 'value',
                          (m.value ->> 'importance')::float8, (m.value ->> 'timestamp')::bigint
                        FROM json_array_elements($3::text::json) WITH ORDINALITY AS m(value, ord)""")
                        .execute(Tuple.of(tenant.id(), executionId, json.write(memory), (long) memory.size())))
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_tool_calls (tenant, execution_id, seq, status_seq, %s)
                        SELECT $1, $2, t.ord, t.ord - $4 - 1, %s
                        FROM json_array_elements($3::text::json) WITH ORDINALITY AS t(value, ord)"""
                        .formatted(ToolCallRepository.COLUMNS, ToolCallRepository.VALUES_FROM_JSON))
                        .execute(Tuple.of(tenant.id(), executionId, "[" + String.join(",", calls) + "]",
                                (long) calls.size())))
                .flatMap(x -> conn.preparedQuery("""
                        UPDATE executions SET step_count = $3, message_count = $4, tool_call_count = $5,
                          current_step_id = $6, variables = $7::text::json, last_tool_call_id = $8,
                          step_number = $9, total_steps_estimate = $10, iterations_completed = $11,
                          tokens_used = $12, duration_ms = $13
                        WHERE tenant = $1 AND id = $2""")
                        .execute(Tuple.from(new Object[] { tenant.id(), executionId, (long) c.steps().size(),
                                (long) ctx.messages().size(), (long) calls.size(), c.currentStepId(),
                                json.write(variables(ctx)), t.lastToolCallId(), p.stepNumber(),
                                p.totalStepsEstimate(), p.iterationsCompleted(), p.tokensUsed(), p.durationMs() })))
                .replaceWithVoid();
    }

    private ObjectNode variables(Context ctx) {
        return ctx.variables() == null ? json.mapper().createObjectNode() : ctx.variables();
    }

    /**
     * Tool-state lists as rows, each keeping the list it was in: ids-only pending/running calls get no tool or
     * arguments.
     */
    private List<String> toolRows(ToolState t) {
        List<String> rows = new ArrayList<>();
        t.pending().forEach(id -> rows.add(tools.row(new ToolCall(id, null, null, ToolCallStatus.PENDING, null, null,
                null, 0L), "pending")));
        t.running().forEach(id -> rows.add(tools.row(new ToolCall(id, null, null, ToolCallStatus.RUNNING, null, null,
                null, 0L), "running")));
        t.completed().forEach(call -> rows.add(tools.row(call, "completed")));
        t.failed().forEach(call -> rows.add(tools.row(call, "failed")));
        return rows;
    }
}
