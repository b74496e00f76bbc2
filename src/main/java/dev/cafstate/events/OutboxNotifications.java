package dev.cafstate.events;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.jobs.BackgroundTimers;
import dev.cafstate.common.security.Tenant;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Wakes this replica's SSE streams when events of their execution were committed, through any replica. While at
 * least one stream is open it polls the outbox every {@code caf.events.sse-poll-interval} for rows newer than the
 * last one seen (a range scan on the primary key). Polling rather than {@code LISTEN/NOTIFY}: notifying
 * transactions serialize on PostgreSQL's notification queue at commit, which halved append throughput when
 * measured. Rows that commit out of sequence order are caught by each stream's own slower poll.
 */
@ApplicationScoped
public class OutboxNotifications {

    private final OutboxRepository outbox;
    private final Map<String, Set<Runnable>> watchers = new ConcurrentHashMap<>();
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile long lastSeen = -1;

    public OutboxNotifications(OutboxRepository outbox) {
        this.outbox = outbox;
    }

    /** Polls every {@code caf.events.sse-poll-interval} on a Vert.x timer (Quarkus' scheduler stops at one second). */
    void start(@Observes StartupEvent event, BackgroundTimers timers, CafConfig config) {
        Duration every =
                Duration.ofMillis(Math.max(10, config.events().ssePollInterval().toMillis()));
        timers.every(every, every, () -> {
            if (polling.compareAndSet(false, true)) {
                poll().subscribe().with(x -> polling.set(false), e -> polling.set(false));
            }
        });
    }

    /**
     * Calls {@code callback} whenever new events of that execution are seen.
     *
     * @return the action that stops watching
     */
    public Runnable watch(Tenant tenant, String executionId, Runnable callback) {
        String key = key(tenant.id(), executionId);
        watchers.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(callback);
        return () -> watchers.computeIfPresent(key, (k, set) -> {
            set.remove(callback);
            return set.isEmpty() ? null : set;
        });
    }

    Uni<Void> poll() {
        if (watchers.isEmpty()) {
            lastSeen = -1;
            return Uni.createFrom().voidItem();
        }
        Uni<Long> from = lastSeen >= 0 ? Uni.createFrom().item(lastSeen) : outbox.lastSeq();
        return from.flatMap(after -> outbox.executionsWithEventsAfter(after).map(newer -> {
                    long max = after;
                    for (OutboxRepository.Newer n : newer) {
                        max = Math.max(max, n.lastSeq());
                        Set<Runnable> set = watchers.get(key(n.tenant(), n.executionId()));
                        if (set != null) {
                            set.forEach(Runnable::run);
                        }
                    }
                    lastSeen = max;
                    return max;
                }))
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(e -> {
                    Log.debugf("outbox poll failed: %s", e.toString());
                    return null;
                });
    }

    private static String key(String tenant, String executionId) {
        return tenant + '\u0000' + executionId;
    }
}
