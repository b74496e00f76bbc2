package dev.cafstate.common.jobs;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.mutiny.core.Vertx;

/**
 * The periodic background loops of a replica (relay, outbox monitor and partitions, SSE poller, scrub, transfer
 * worker) on Vert.x timers, which Quarkus' scheduler cannot run below one second. They stop when the application
 * stops: a tick after that would run into a container already shut down (context propagation gone, pool closed).
 */
@ApplicationScoped
public class BackgroundTimers {

    private final Vertx vertx;
    private final Set<Long> timers = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    public BackgroundTimers(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Runs {@code tick} every {@code period}, the first time after {@code delay}, until the application stops. */
    public void every(Duration delay, Duration period, Runnable tick) {
        long id = vertx.setPeriodic(Math.max(1, delay.toMillis()), Math.max(1, period.toMillis()), timer -> {
            if (!stopped) {
                tick.run();
            }
        });
        timers.add(id);
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        timers.forEach(vertx::cancelTimer);
    }
}
