package dev.cafstate.runtime.service;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
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
    private final EventRecorder events;
    private final Clock clock;

    public ProgressService(ExecutionRepository executions, Mutations mutations, EventRecorder events, Clock clock) {
        this.executions = executions;
        this.mutations = mutations;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Applies the patch and returns the progress as it now is. The counters are read, merged and written back in one
     * statement only if nothing changed meanwhile (two round trips, no transaction: this is an agent's most frequent
     * call); when something did, or the read cannot decide (a counter seems to go backwards, If-Match differs, no
     * such execution), the patch runs again under the execution's lock, which answers exactly.
     */
    public Uni<Versioned<ExecutionProgress>> patch(
            Tenant tenant, String executionId, IfMatch expected, ProgressPatch patch) {
        return executions.progress(tenant, executionId).flatMap(read -> {
            if (read == null || (expected != null && !expected.matches(read.version()))) {
                return locked(tenant, executionId, expected, patch);
            }
            ExecutionProgress p;
            try {
                p = patch.applyTo(read.progress());
            } catch (StateConflict backwards) { // maybe against a read a restore has since made stale
                return locked(tenant, executionId, expected, patch);
            }
            long now = clock.now();
            String event = events.json(tenant, now, new CafEvent.ProgressUpdated(executionId, p));
            return executions
                    .setProgress(tenant, executionId, read.version(), p, event, now)
                    .flatMap(version -> version == null
                            ? locked(tenant, executionId, expected, patch)
                            : Uni.createFrom().item(new Versioned<>(p, version)));
        });
    }

    /** The patch under the execution's lock, failing as {@link ExecutionRepository#whyNot} says. */
    private Uni<Versioned<ExecutionProgress>> locked(
            Tenant tenant, String executionId, IfMatch expected, ProgressPatch patch) {
        long now = clock.now();
        return mutations.inTransaction(
                tenant,
                executionId,
                expected,
                now,
                (conn, version) -> executions
                        .get(conn, tenant, executionId, false)
                        .flatMap(current -> {
                            ExecutionProgress p = patch.applyTo(current.progress());
                            return executions
                                    .updateProgress(conn, tenant, executionId, p)
                                    .flatMap(x -> events.record(
                                            conn, tenant, now, new CafEvent.ProgressUpdated(executionId, p)))
                                    .replaceWith(new Versioned<>(p, version));
                        }));
    }
}
