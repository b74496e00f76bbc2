package dev.cafstate.common.metrics;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * Times the stages of a checkpoint ({@code caf.checkpoint.stages} by stage and outcome, in Prometheus as
 * {@code caf_checkpoint_stages_seconds}), so an operator (and the benchmark) sees where a slow checkpoint spends its
 * time: reading the runtime snapshot, writing the object, writing the rows.
 */
@ApplicationScoped
public class StageTimer {

    private final MeterRegistry meters;

    public StageTimer(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Runs the stage from subscription to its item or failure and records how long it took. */
    public <T> Uni<T> time(String stage, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start(meters);
            return work.get().onItemOrFailure().invoke((item, failure) -> sample.stop(meters.timer(
                    "caf.checkpoint.stages", "stage", stage, "outcome", failure == null ? "ok" : "error")));
        });
    }
}
