package dev.cafstate.events;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.jobs.BackgroundTimers;
import dev.cafstate.common.time.Clock;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Publishes outbox rows to RabbitMQ in outbox order with publisher confirms, then marks them published.
 * <p>
 * Exactly one relay is active across all replicas: each round runs in a transaction that first takes a
 * transaction-scoped PostgreSQL advisory lock; a replica that does not get it skips the round. One relay keeps
 * events of an execution in order. A round that fails (broker down, no confirm in time) marks nothing, so the same
 * rows are published again later: delivery is at-least-once, consumers de-duplicate by CloudEvents {@code id}.
 * <p>
 * A holder that stops in the middle of a round (frozen, cut off from the database) would keep the lock for as long as
 * PostgreSQL keeps its session. The round's transaction is therefore bounded: idle in it longer than
 * {@link #ROUND_IDLE_BOUND} past the publish timeout, the session is ended and another replica relays from the first
 * unmarked event. Should the old holder wake with messages still in its client, they are copies of events the new
 * holder publishes again from the same point, so each event's first delivery stays in order.
 */
@ApplicationScoped
public class OutboxRelay {

    /** Advisory lock key of the relay ("CAFRELAY"). */
    static final long LOCK_KEY = 0x434146_52454C4159L;

    /** How much longer than the publish timeout a round's transaction may sit idle before PostgreSQL ends it. */
    static final Duration ROUND_IDLE_BOUND = Duration.ofSeconds(2);

    private final Pool pool;
    private final OutboxRepository outbox;
    private final MutinyEmitter<String> emitter;
    private final CafConfig config;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean again;
    private volatile boolean stopping;
    private volatile long lastSuccessAt;
    private volatile long lastFailureAt;
    private volatile String lastError;

    public OutboxRelay(
            Pool pool,
            OutboxRepository outbox,
            @Channel("caf-events") MutinyEmitter<String> emitter,
            CafConfig config,
            Clock clock) {
        this.pool = pool;
        this.outbox = outbox;
        this.emitter = emitter;
        this.config = config;
        this.clock = clock;
    }

    /** Starts the relay loop: every {@code caf.events.relay-interval} (a Vert.x timer: Quarkus' scheduler does not go
     * below one second). */
    void start(@Observes StartupEvent event, BackgroundTimers timers) {
        long interval = Math.max(10, config.events().relayInterval().toMillis());
        timers.every(Duration.ofSeconds(2), Duration.ofMillis(interval), this::wake);
    }

    /** No round starts once the application stops; one under way ends without a warning (its rows stay unmarked). */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Starts a drain unless one is running; a running drain is asked to go round once more. */
    public void wake() {
        if (stopping) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again = true;
            return;
        }
        again = false;
        drain();
    }

    private void drain() {
        round().subscribe()
                .with(
                        published -> {
                            lastSuccessAt = clock.now();
                            if (!stopping && (published >= config.events().relayBatchSize() || again)) {
                                again = false;
                                drain();
                            } else {
                                running.set(false);
                                if (again) {
                                    wake();
                                }
                            }
                        },
                        failure -> {
                            running.set(false);
                            if (stopping) { // the pool closes under it: its events are published after a restart
                                Log.debugf("event relay round ended by the shutdown: %s", failure);
                                return;
                            }
                            lastFailureAt = clock.now();
                            lastError = failure.getMessage();
                            Log.warnf("event relay round failed, will retry: %s", failure.toString());
                        });
    }

    /** One round: the number of events published, or -1 when another replica holds the relay lock. */
    Uni<Integer> round() {
        Duration idleBound = config.events().publishTimeout().plus(ROUND_IDLE_BOUND);
        return pool.withTransaction(conn -> outbox.tryRelayLock(conn, LOCK_KEY, idleBound)
                .flatMap(
                        locked -> locked ? publishBatch(conn) : Uni.createFrom().item(-1)));
    }

    private Uni<Integer> publishBatch(SqlConnection conn) {
        return outbox.unpublished(conn, config.events().relayBatchSize()).flatMap(events -> {
            if (events.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            long from = events.stream()
                    .mapToLong(OutboxRepository.Pending::createdAt)
                    .min()
                    .orElseThrow();
            long to = events.stream()
                    .mapToLong(OutboxRepository.Pending::createdAt)
                    .max()
                    .orElseThrow();
            Long[] seqs = events.stream().map(OutboxRepository.Pending::seq).toArray(Long[]::new);
            return publish(events)
                    .flatMap(x -> outbox.markPublished(conn, seqs, from, to, clock.now()))
                    .replaceWith(seqs.length);
        });
    }

    private Uni<Void> publish(List<OutboxRepository.Pending> events) {
        List<Uni<Void>> sends = new ArrayList<>(events.size());
        for (OutboxRepository.Pending event : events) {
            OutgoingRabbitMQMetadata metadata = OutgoingRabbitMQMetadata.builder()
                    .withRoutingKey(CloudEvents.routingKey(event.tenant(), event.executionId(), event.type()))
                    .withContentType("application/cloudevents+json")
                    .withMessageId(event.eventId())
                    .withType(event.type())
                    .withDeliveryMode(2)
                    .withTimestamp(ZonedDateTime.ofInstant(Instant.ofEpochMilli(clock.now()), ZoneId.systemDefault()))
                    .build();
            sends.add(emitter.sendMessage(Message.of(event.payload()).addMetadata(metadata)));
        }
        return Uni.join()
                .all(sends)
                .andFailFast()
                .ifNoItem()
                .after(config.events().publishTimeout())
                .fail()
                .replaceWithVoid();
    }

    /** Epoch ms of the last round that completed, 0 if none. */
    public long lastSuccessAt() {
        return lastSuccessAt;
    }

    /** Epoch ms of the last failed round, 0 if none. */
    public long lastFailureAt() {
        return lastFailureAt;
    }

    /** Message of the last failure, if any. */
    public String lastError() {
        return lastError;
    }
}
