package dev.cafstate.events;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mutiny.core.Vertx;

/**
 * The live event stream of one execution, read from the outbox (shared by all replicas) after a given sequence
 * number, woken by {@link OutboxNotifications} and, as a safety net, by its own slower poll.
 */
@ApplicationScoped
public class ExecutionEventFeed {

    static final int PAGE = 500;

    private final OutboxRepository outbox;
    private final Vertx vertx;
    private final OutboxNotifications notifications;
    private final CafConfig config;

    public ExecutionEventFeed(
            OutboxRepository outbox, Vertx vertx, OutboxNotifications notifications, CafConfig config) {
        this.outbox = outbox;
        this.vertx = vertx;
        this.notifications = notifications;
        this.config = config;
    }

    /** Every event of the execution with a sequence number above {@code after}, then each new one as committed. */
    public Multi<StoredEvent> follow(Tenant tenant, String executionId, long after) {
        return Multi.createFrom().emitter(emitter -> new Follower(tenant, executionId, after, emitter).start());
    }

    private final class Follower {
        private final Tenant tenant;
        private final String executionId;
        private final MultiEmitter<? super StoredEvent> emitter;
        private final AtomicBoolean fetching = new AtomicBoolean();
        private volatile boolean dirty;
        private volatile long last;

        Follower(Tenant tenant, String executionId, long after, MultiEmitter<? super StoredEvent> emitter) {
            this.tenant = tenant;
            this.executionId = executionId;
            this.last = after;
            this.emitter = emitter;
        }

        void start() {
            Runnable unwatch = notifications.watch(tenant, executionId, this::poke);
            long timer = vertx.setPeriodic(config.events().sseResyncInterval().toMillis(), id -> poke());
            emitter.onTermination(() -> {
                unwatch.run();
                vertx.cancelTimer(timer);
            });
            poke();
        }

        void poke() {
            if (emitter.isCancelled()) {
                return;
            }
            if (!fetching.compareAndSet(false, true)) {
                dirty = true;
                return;
            }
            dirty = false;
            outbox.after(tenant, executionId, last, PAGE)
                    .subscribe()
                    .with(
                            rows -> {
                                for (StoredEvent event : rows) {
                                    last = event.seq();
                                    emitter.emit(event);
                                }
                                fetching.set(false);
                                if (rows.size() == PAGE || dirty) {
                                    poke();
                                }
                            },
                            failure -> fetching.set(false));
        }
    }
}
