package dev.cafstate.common.metrics;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * Times asynchronous work into Micrometer timers tagged with an outcome ({@code ok} or {@code error}), so an
 * operator (and the benchmark) sees where a slow checkpoint spends its time: the stages of a checkpoint
 * ({@code caf.checkpoint.stages}, in Prometheus {@code caf_checkpoint_stages_seconds}) and each S3 request
 * ({@code caf.s3.requests}).
 */
@ApplicationScoped
public class Timings {

    private final MeterRegistry meters;

    public Timings(MeterRegistry meters) {
        this.meters = meters;
    }

    /** A stage of a checkpoint: reading the runtime snapshot, writing the rows, restoring the rows. */
    public <T> Uni<T> stage(String stage, Supplier<Uni<T>> work) {
        return time("caf.checkpoint.stages", "stage", stage, work);
    }

    /** Runs {@code work} from subscription to its item or failure and records how long it took. */
    public <T> Uni<T> time(String metric, String tag, String value, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start(meters);
            return work.get()
                    .onItemOrFailure()
                    .invoke((item, failure) ->
                            sample.stop(meters.timer(metric, tag, value, "outcome", failure == null ? "ok" : "error")));
        });
    }
}
