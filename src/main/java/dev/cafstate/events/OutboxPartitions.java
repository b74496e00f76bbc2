package dev.cafstate.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.jobs.BackgroundTimers;
import dev.cafstate.common.jobs.JobLeases;
import dev.cafstate.common.time.Clock;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the time-partitioned outbox (migration V8). Range partitions of {@code caf.events.partition-interval} are
 * attached ahead of the clock, at least {@link #AHEAD_MS} ahead, so an insert always finds its partition (there is
 * no DEFAULT partition). A partition whose events are all published and older than {@code caf.events.retention} is
 * detached {@code CONCURRENTLY} and dropped: that costs the same whatever it holds and takes no lock the appends
 * wait for (a plain detach or drop needs an exclusive lock on the outbox; measured, the appends' p99 went from 25 to
 * over 300 ms while such a drop waited). One replica works at a time (a job lease).
 */
@ApplicationScoped
public class OutboxPartitions {

    static final String JOB = "outbox-partitions";
    /** How far ahead of the clock partitions exist. */
    static final long AHEAD_MS = 10 * 60 * 1000;
    /** Partitions created ahead at the least. */
    static final int AHEAD_MIN = 3;

    private static final Pattern NAME = Pattern.compile("outbox_events_p(\\d+)_(\\d+)");

    private final OutboxRepository outbox;
    private final JobLeases leases;
    private final CafConfig config;
    private final Clock clock;

    public OutboxPartitions(OutboxRepository outbox, JobLeases leases, CafConfig config, Clock clock) {
        this.outbox = outbox;
        this.leases = leases;
        this.config = config;
        this.clock = clock;
    }

    /** A range partition {@code [from, to)} of {@code created_at}; {@code detaching} when a detach is pending. */
    record Partition(String name, long from, long to, boolean detaching) {}

    void start(@Observes StartupEvent event, BackgroundTimers timers) {
        long every = Math.max(
                1000, Math.min(60_000, config.events().partitionInterval().toMillis() / 4));
        maintain().subscribe().with(x -> {}, e -> Log.warnf("outbox partitions not maintained yet: %s", e));
        timers.every(
                Duration.ofMillis(every),
                Duration.ofMillis(every),
                () -> maintain()
                        .subscribe()
                        .with(
                                x -> {},
                                e -> Log.warnf("outbox partition maintenance failed, will retry: %s", e.toString())));
    }

    /** One round: attach the partitions due, drop those past retention. */
    public Uni<Void> maintain() {
        long now = clock.now();
        long interval = config.events().partitionInterval().toMillis();
        long cutoff = now - config.events().retention().toMillis();
        return leases.acquire(JOB, 5 * 60 * 1000)
                .flatMap(leased -> !leased
                        ? Uni.createFrom().voidItem()
                        : partitions()
                                .flatMap(existing ->
                                        create(existing, now, interval).flatMap(x -> drop(existing, cutoff)))
                                .eventually(() -> leases.release(JOB)));
    }

    /** The range partitions, in order. */
    Uni<List<Partition>> partitions() {
        return outbox.partitions().map(names -> {
            List<Partition> list = new ArrayList<>();
            for (OutboxRepository.PartitionName n : names) {
                Matcher m = NAME.matcher(n.name());
                if (m.matches()) {
                    list.add(new Partition(
                            m.group(0), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), n.detaching()));
                }
            }
            list.sort((a, b) -> Long.compare(a.from(), b.from()));
            return list;
        });
    }

    /**
     * Creates the partitions from the end of the last one (or the current interval) up to the horizon, each as a
     * plain table attached afterwards (attaching takes a weaker lock on the outbox than creating a partition in place).
     */
    private Uni<Void> create(List<Partition> existing, long now, long interval) {
        long start = Math.floorDiv(now, interval) * interval;
        long from = existing.isEmpty()
                ? start
                : Math.max(existing.get(existing.size() - 1).to(), start);
        int ahead = (int) Math.max(AHEAD_MIN, (AHEAD_MS + interval - 1) / interval);
        long until = start + (ahead + 1) * interval;
        List<Partition> due = new ArrayList<>();
        for (long f = from; f < until; f += interval) {
            due.add(new Partition("outbox_events_p" + f + "_" + (f + interval), f, f + interval, false));
        }
        return Multi.createFrom()
                .iterable(due)
                .onItem()
                .transformToUniAndConcatenate(p -> outbox.attachPartition(p.name(), p.from(), p.to())
                        .onFailure()
                        .recoverWithItem(e -> {
                            Log.debugf("outbox partition %s not attached now: %s", p.name(), e.getMessage());
                            return null;
                        }))
                .collect()
                .asList()
                .replaceWithVoid();
    }

    /**
     * Detaches (concurrently: without blocking the appends) and drops the partitions that end before the cutoff and
     * hold no unpublished event; a detach left pending by an interrupted round is finished first. Then the event
     * counters of executions gone with all their events are forgotten.
     */
    private Uni<Void> drop(List<Partition> existing, long cutoff) {
        List<Partition> old = existing.stream().filter(p -> p.to() <= cutoff).toList();
        return Multi.createFrom()
                .iterable(old)
                .onItem()
                .transformToUniAndConcatenate(p -> outbox.hasUnpublished(p.name())
                        .flatMap(unpublished -> unpublished
                                ? Uni.createFrom().voidItem()
                                : outbox.detachAndDrop(p.name(), p.detaching())
                                        .invoke(() -> Log.debugf("dropped outbox partition %s", p.name())))
                        .onFailure()
                        .recoverWithItem(e -> {
                            Log.debugf("outbox partition %s not dropped now: %s", p.name(), e.getMessage());
                            return null;
                        }))
                .collect()
                .asList()
                .flatMap(x -> old.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : outbox.forgetSequences()
                                .invoke(n -> Log.debugf("forgot the event counters of %d executions", n))
                                .replaceWithVoid());
    }
}
