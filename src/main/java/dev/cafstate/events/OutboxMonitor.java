package dev.cafstate.events;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.jobs.BackgroundTimers;
import dev.cafstate.common.time.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * How event delivery is doing, read from the outbox every replica shares (not from this replica's relay, which may
 * not be the one relaying): the backlog of unpublished events and the age of the oldest. Delivery counts as stalled
 * when an event waits longer than {@code caf.events.stalled-after}. Exported as {@code caf_outbox_backlog} and
 * {@code caf_outbox_oldest_pending_age_seconds}.
 */
@ApplicationScoped
public class OutboxMonitor {

    /** A reading of the outbox; {@code oldestPendingAgeMs} is 0 without a backlog; -1 values: not read yet. */
    public record Reading(long backlog, long oldestPendingAgeMs, long readAt) {

        static final Reading UNKNOWN = new Reading(-1, -1, 0);
    }

    private final OutboxRepository outbox;
    private final CafConfig config;
    private final Clock clock;
    private volatile Reading last = Reading.UNKNOWN;
    private final AtomicLong polling = new AtomicLong();

    public OutboxMonitor(OutboxRepository outbox, CafConfig config, Clock clock) {
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event, BackgroundTimers timers, MeterRegistry registry) {
        Gauge.builder("caf.outbox.backlog", this, m -> m.last.backlog())
                .description("Events in the outbox not yet published to the broker (-1: unknown)")
                .register(registry);
        Gauge.builder("caf.outbox.oldest.pending.age", this, m -> m.last.oldestPendingAgeMs() / 1000.0)
                .description("Age of the oldest unpublished event, seconds (0 without a backlog)")
                .baseUnit("seconds")
                .register(registry);
        Duration every = Duration.ofMillis(
                Math.max(500, config.events().monitorInterval().toMillis()));
        timers.every(every, every, () -> {
            if (polling.compareAndSet(0, 1)) {
                read().subscribe().with(r -> polling.set(0), e -> polling.set(0));
            }
        });
    }

    /** Reads the outbox now (bounded like every statement); keeps the previous reading when it cannot. */
    public Uni<Reading> read() {
        return outbox.backlog().map(b -> {
            Reading r = new Reading(
                    b.events(),
                    b.events() == 0 || b.oldestAgeMs() == null ? 0 : Math.max(0, b.oldestAgeMs()),
                    clock.now());
            last = r;
            return r;
        });
    }

    /** The last reading. */
    public Reading last() {
        return last;
    }

    /** Whether events are flowing: no backlog, or none waiting longer than {@code caf.events.stalled-after}. */
    public boolean delivering(Reading r) {
        Duration stalled = config.events().stalledAfter();
        return r.backlog() == 0 || (r.backlog() > 0 && r.oldestPendingAgeMs() < stalled.toMillis());
    }
}
