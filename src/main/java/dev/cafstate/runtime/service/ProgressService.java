package dev.cafstate.runtime.service;

import java.util.Iterator;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.events.CloudEvents;
import dev.cafstate.events.EventTypes;
import dev.cafstate.events.Outbox;
import dev.cafstate.runtime.api.Versioned;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.runtime.repository.Mutations;
import io.smallrye.mutiny.Uni;

/**
 * Merge-patches the progress counters. {@code step_number}, {@code iterations_completed}, {@code tokens_used} and
 * {@code duration_ms} never go backwards (409); {@code total_steps_estimate} is an estimate and may change or be
 * removed. Emits {@code progress.updated} (a CAF State extension: CAF has no progress event).
 */
@ApplicationScoped
public class ProgressService {

    private static final Set<String> FIELDS = Set.of("step_number", "total_steps_estimate", "iterations_completed",
            "tokens_used", "duration_ms");

    private final ExecutionRepository executions;
    private final Mutations mutations;
    private final CloudEvents events;
    private final Outbox outbox;
    private final Clock clock;

    public ProgressService(ExecutionRepository executions, Mutations mutations, CloudEvents events, Outbox outbox,
            Clock clock) {
        this.executions = executions;
        this.mutations = mutations;
        this.events = events;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Applies the patch and returns the progress as it now is. */
    public Uni<Versioned<ExecutionProgress>> patch(String tenant, String executionId, Long expected, JsonNode body) {
        validate(body);
        long now = clock.now();
        return mutations.inTransaction(tenant, executionId, expected, now, (conn, version) -> executions
                .get(conn, tenant, executionId, false)
                .flatMap(current -> {
                    ExecutionProgress p = apply(current.progress(), body);
                    String event = events.batch(events.event(tenant, executionId, EventTypes.PROGRESS_UPDATED, now,
                            "progress", p));
                    return executions.updateProgress(conn, tenant, executionId, p)
                            .flatMap(x -> outbox.emit(conn, tenant, executionId, event, now))
                            .replaceWith(new Versioned<>(p, version));
                }));
    }

    private static void validate(JsonNode body) {
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw InvalidInput.field("body", "must be a non-empty JSON object");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            JsonNode v = body.get(name);
            if (!FIELDS.contains(name)) {
                throw InvalidInput.field(name, "is not a progress field");
            }
            if (name.equals("total_steps_estimate")) {
                if (!v.isNull() && !(v.canConvertToInt() && v.isIntegralNumber() && v.asInt() > 0)) {
                    throw InvalidInput.field(name, "must be an integer > 0, or null to remove it");
                }
            } else if (name.equals("duration_ms")) {
                if (!v.isNumber() || v.asDouble() < 0) {
                    throw InvalidInput.field(name, "must be a number >= 0");
                }
            } else if (!v.isIntegralNumber() || v.asLong() < 0 || (!name.equals("tokens_used") && !v.canConvertToInt())) {
                throw InvalidInput.field(name, "must be an integer >= 0");
            }
        }
    }

    static ExecutionProgress apply(ExecutionProgress current, JsonNode body) {
        int step = body.has("step_number") ? body.get("step_number").asInt() : current.stepNumber();
        int iterations = body.has("iterations_completed") ? body.get("iterations_completed").asInt()
                : current.iterationsCompleted();
        long tokens = body.has("tokens_used") ? body.get("tokens_used").asLong() : current.tokensUsed();
        double duration = body.has("duration_ms") ? body.get("duration_ms").asDouble() : current.durationMs();
        Integer estimate = !body.has("total_steps_estimate") ? current.totalStepsEstimate()
                : body.get("total_steps_estimate").isNull() ? null : body.get("total_steps_estimate").asInt();
        backwards("step_number", step < current.stepNumber());
        backwards("iterations_completed", iterations < current.iterationsCompleted());
        backwards("tokens_used", tokens < current.tokensUsed());
        backwards("duration_ms", duration < current.durationMs());
        return new ExecutionProgress(step, estimate, iterations, tokens, duration);
    }

    private static void backwards(String field, boolean goesBack) {
        if (goesBack) {
            throw new StateConflict(field + " cannot go backwards");
        }
    }
}
