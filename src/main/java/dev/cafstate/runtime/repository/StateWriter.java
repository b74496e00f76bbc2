package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes whole runtime parts in bulk (one statement per part, from a JSON array): seeding a new execution, and
 * replacing an execution's state on restore. Runs inside the caller's transaction.
 */
@ApplicationScoped
public class StateWriter {

    private final Json json;

    public StateWriter(Json json) {
        this.json = json;
    }

    /** Replaces all four parts of an execution (existing rows of the parts are deleted first). */
    public Uni<Void> replace(SqlConnection conn, String tenant, String executionId, ThoughtChain chain,
            Context context, ToolState tools, ExecutionProgress progress) {
        ThoughtChain c = chain == null ? new ThoughtChain(null, List.of()) : chain;
        Context ctx = context == null ? new Context(List.of(), null, null) : context;
        ToolState t = tools == null ? new ToolState(null, List.of(), List.of(), List.of(), List.of()) : tools;
        ExecutionProgress p = progress == null ? ExecutionProgress.zero() : progress;
        List<ToolCall> calls = toolRows(t);
        Tuple ids = Tuple.of(tenant, executionId);
        return conn.preparedQuery("""
                WITH a AS (DELETE FROM runtime_thoughts WHERE tenant = $1 AND execution_id = $2),
                     b AS (DELETE FROM runtime_messages WHERE tenant = $1 AND execution_id = $2),
                     c AS (DELETE FROM runtime_memory WHERE tenant = $1 AND execution_id = $2)
                DELETE FROM runtime_tool_calls WHERE tenant = $1 AND execution_id = $2""").execute(ids)
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_thoughts (tenant, execution_id, seq, id, type, content, reasoning,
                          confidence, alternatives, parent_id, children, metadata, ts)
                        SELECT $1, $2, s.ord, %s
                        FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY AS s(value, ord)"""
                        .formatted(ThoughtRepository.STEP_COLUMNS))
                        .execute(Tuple.of(tenant, executionId, json.write(c.steps()))))
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls,
                          tool_results, ts)
                        SELECT $1, $2, m.ord, %s
                        FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY AS m(value, ord)"""
                        .formatted(ContextRepository.MESSAGE_COLUMNS))
                        .execute(Tuple.of(tenant, executionId, json.write(ctx.messages()))))
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_memory (tenant, execution_id, seq, key, value, importance, ts)
                        SELECT $1, $2, m.ord, m.value ->> 'key', m.value -> 'value',
                          (m.value ->> 'importance')::float8, (m.value ->> 'timestamp')::bigint
                        FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY AS m(value, ord)""")
                        .execute(Tuple.of(tenant, executionId,
                                json.write(ctx.memory() == null ? List.of() : ctx.memory()))))
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO runtime_tool_calls (tenant, execution_id, seq, status_seq, %s)
                        SELECT $1, $2, t.ord, t.ord, %s
                        FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY AS t(value, ord)"""
                        .formatted(ToolCallRepository.COLUMNS, ToolCallRepository.VALUES_FROM_JSON))
                        .execute(Tuple.of(tenant, executionId, json.write(calls))))
                .flatMap(x -> conn.preparedQuery("""
                        UPDATE executions SET step_count = $3, message_count = $4, tool_call_count = $5,
                          current_step_id = $6, variables = $7::text::jsonb, last_tool_call_id = $8,
                          step_number = $9, total_steps_estimate = $10, iterations_completed = $11,
                          tokens_used = $12, duration_ms = $13
                        WHERE tenant = $1 AND id = $2""")
                        .execute(Tuple.from(new Object[] { tenant, executionId, (long) c.steps().size(),
                                (long) ctx.messages().size(), (long) calls.size(), c.currentStepId(),
                                json.write(variables(ctx)), t.lastToolCallId(), p.stepNumber(),
                                p.totalStepsEstimate(), p.iterationsCompleted(), p.tokensUsed(), p.durationMs() })))
                .replaceWithVoid();
    }

    private ObjectNode variables(Context ctx) {
        return ctx.variables() == null ? json.mapper().createObjectNode() : ctx.variables();
    }

    /** Tool-state lists as rows: ids-only pending/running calls get no tool or arguments. */
    private static List<ToolCall> toolRows(ToolState t) {
        List<ToolCall> rows = new ArrayList<>();
        t.pending().forEach(id -> rows.add(new ToolCall(id, null, null, dev.cafstate.caf.ToolCallStatus.PENDING,
                null, null, null, 0L)));
        t.running().forEach(id -> rows.add(new ToolCall(id, null, null, dev.cafstate.caf.ToolCallStatus.RUNNING,
                null, null, null, 0L)));
        rows.addAll(t.completed());
        rows.addAll(t.failed());
        return rows;
    }
}
