package dev.cafstate.events;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.security.Tenant;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mutiny.core.Vertx;

/**
 * The live event stream of one execution, read from the outbox (shared by all replicas) after a given sequence
 * number, woken by {@link OutboxNotifications} and, as a safety net, by its own slower poll. A quiet stream gets a
 * {@link #KEEPALIVE} now and then. When the replica starts to shut down, every stream ends at once (the client
 * resumes on another replica with {@code Last-Event-ID}) and new ones end as they start, so that no stream holds the
 * drain of the requests in flight.
 */
@ApplicationScoped
public class ExecutionEventFeed {

    static final int PAGE = 500;

    /** Not an event: the stream's keepalive (sent as an SSE comment, so that idle streams are not closed). */
    public static final StoredEvent KEEPALIVE = new StoredEvent(-1, "keepalive", "");

    private final OutboxRepository outbox;
    private final Vertx vertx;
    private final OutboxNotifications notifications;
    private final CafConfig config;
    private final Set<MultiEmitter<? super StoredEvent>> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    public ExecutionEventFeed(
            OutboxRepository outbox, Vertx vertx, OutboxNotifications notifications, CafConfig config) {
        this.outbox = outbox;
        this.vertx = vertx;
        this.notifications = notifications;
        this.config = config;
    }

    /** Every event of the execution with a sequence number above {@code after}, then each new one as committed. */
    public Multi<StoredEvent> follow(Tenant tenant, String executionId, long after) {
        return Multi.createFrom().emitter(emitter -> {
            if (closing) {
                emitter.complete();
                return;
            }
            new Follower(tenant, executionId, after, emitter).start();
        });
    }

    /**
     * The same after an SSE id given before events were numbered per execution (an outbox-wide number, not 19 digits
     * long): the stream goes on after the last of the execution's events up to it.
     */
    public Multi<StoredEvent> followAfterOutboxId(Tenant tenant, String executionId, long outboxSeq) {
        return outbox.sequenceUpTo(tenant, executionId, outboxSeq)
                .onItem()
                .transformToMulti(after -> follow(tenant, executionId, after));
    }

    /** The shutdown's delay began (readiness is down): every open stream ends now. */
    void closeStreams(@Observes ShutdownDelayInitiatedEvent event) {
        closeAll();
    }

    /** The shutdown itself (also without a delay): streams still open end before the requests in flight drain. */
    void closeStreams(@Observes ShutdownEvent event) {
        closeAll();
    }

    private void closeAll() {
        closing = true;
        for (MultiEmitter<? super StoredEvent> emitter : open) {
            emitter.complete();
        }
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
            long keepalive =
                    vertx.setPeriodic(config.events().sseKeepalive().toMillis(), id -> emitter.emit(KEEPALIVE));
            open.add(emitter);
            emitter.onTermination(() -> {
                open.remove(emitter);
                unwatch.run();
                vertx.cancelTimer(timer);
                vertx.cancelTimer(keepalive);
            });
            if (closing) { // the shutdown began while this stream started
                emitter.complete();
                return;
            }
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
                                    last = event.sequence();
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
