package dev.cafstate.runtime.api;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/**
 * Body of {@code PATCH .../progress}: a merge patch of ExecutionProgress. Counters are integers 0..2^53-1 (64-bit
 * storage), {@code duration_ms} a number >= 0, {@code total_steps_estimate} an integer > 0 or null to remove it.
 */
public record ProgressPatch(JsonNode body) {

    private static final Set<String> FIELDS =
            Set.of("step_number", "total_steps_estimate", "iterations_completed", "tokens_used", "duration_ms");

    public static ProgressPatch from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (!body.isObject() || body.isEmpty()) {
            c.fail("body", "must be a non-empty JSON object");
            c.throwIfAny();
        }
        c.onlyMembers(body, "", FIELDS, "is not a progress field");
        for (String counter : new String[] {"step_number", "iterations_completed", "tokens_used"}) {
            JsonNode v = body.get(counter);
            if (v != null) {
                c.integer(v, counter, 0);
            }
        }
        JsonNode estimate = body.get("total_steps_estimate");
        if (estimate != null && !estimate.isNull()) {
            c.integer(estimate, "total_steps_estimate", 1);
        }
        JsonNode duration = body.get("duration_ms");
        if (duration != null) {
            c.number(duration, "duration_ms", 0, Double.MAX_VALUE);
        }
        c.throwIfAny();
        return new ProgressPatch(body);
    }

    /**
     * The progress after this patch; {@code step_number}, {@code iterations_completed}, {@code tokens_used} and
     * {@code duration_ms} never go backwards (409).
     */
    public ExecutionProgress applyTo(ExecutionProgress current) {
        long step = counter("step_number", current.stepNumber());
        long iterations = counter("iterations_completed", current.iterationsCompleted());
        long tokens = counter("tokens_used", current.tokensUsed());
        double duration = body.has("duration_ms") ? JsonChecks.jsNumber(body.get("duration_ms")) : current.durationMs();
        if (duration < current.durationMs()) {
            throw new StateConflict("duration_ms cannot go backwards");
        }
        JsonNode e = body.get("total_steps_estimate");
        Long estimate = e == null ? current.totalStepsEstimate() : e.isNull() ? null : JsonChecks.jsInteger(e);
        return new ExecutionProgress(step, estimate, iterations, tokens, duration);
    }

    private long counter(String field, long current) {
        if (!body.has(field)) {
            return current;
        }
        long value = JsonChecks.jsInteger(body.get(field));
        if (value < current) {
            throw new StateConflict(field + " cannot go backwards");
        }
        return value;
    }
}
