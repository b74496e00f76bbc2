package dev.cafstate.runtime.service;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;

import dev.cafstate.common.http.IfMatch;
import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.events.CloudEvents;
import dev.cafstate.events.EventTypes;
import dev.cafstate.events.Outbox;
import dev.cafstate.runtime.api.ProgressPatch;
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
    public Uni<Versioned<ExecutionProgress>> patch(Tenant tenant, String executionId, IfMatch expected,
            ProgressPatch patch) {
        long now = clock.now();
        return mutations.inTransaction(tenant, executionId, expected, now, (conn, version) -> executions
                .get(conn, tenant, executionId, false)
                .flatMap(current -> {
                    ExecutionProgress p = patch.applyTo(current.progress());
                    String event = events.batch(events.event(tenant, executionId, EventTypes.PROGRESS_UPDATED, now,
                            "progress", p));
                    return executions.updateProgress(conn, tenant, executionId, p)
                            .flatMap(x -> outbox.emit(conn, tenant, executionId, event, now))
                            .replaceWith(new Versioned<>(p, version));
                }));
    }
}
