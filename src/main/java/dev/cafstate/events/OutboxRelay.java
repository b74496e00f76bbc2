package dev.cafstate.events;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Publishes outbox rows to RabbitMQ in outbox order with publisher confirms, then marks them published.
 * <p>
 * Exactly one relay is active across all replicas: each round runs in a transaction that first takes a
 * transaction-scoped PostgreSQL advisory lock; a replica that does not get it skips the round. One relay keeps
 * events of an execution in order. A round that fails (broker down, no confirm in time) marks nothing, so the same
 * rows are published again later: delivery is at-least-once, consumers de-duplicate by CloudEvents {@code id}.
 */
@ApplicationScoped
public class OutboxRelay {

    /** Advisory lock key of the relay ("CAFRELAY"). */
    static final long LOCK_KEY = 0x434146_52454C4159L;

    private final Pool pool;
    private final MutinyEmitter<String> emitter;
    private final CafConfig config;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean again;
    private volatile long lastSuccessAt;
    private volatile long lastFailureAt;
    private volatile String lastError;

    public OutboxRelay(Pool pool, @Channel("caf-events") MutinyEmitter<String> emitter, CafConfig config) {
        this.pool = pool;
        this.emitter = emitter;
        this.config = config;
    }

    /** Starts the relay loop: every {@code caf.events.relay-interval} (a Vert.x timer: Quarkus' scheduler does not go
     * below one second). */
    void start(@Observes StartupEvent event, Vertx vertx) {
        long interval = Math.max(10, config.events().relayInterval().toMillis());
        vertx.setTimer(2000, first -> vertx.setPeriodic(interval, id -> wake()));
    }

    /** Starts a drain unless one is running; a running drain is asked to go round once more. */
    public void wake() {
        if (!running.compareAndSet(false, true)) {
            again = true;
            return;
        }
        again = false;
        drain();
    }

    private void drain() {
        round().subscribe().with(published -> {
            lastSuccessAt = System.currentTimeMillis();
            if (published >= config.events().relayBatchSize() || again) {
                again = false;
                drain();
            } else {
                running.set(false);
                if (again) {
                    wake();
                }
            }
        }, failure -> {
            lastFailureAt = System.currentTimeMillis();
            lastError = failure.getMessage();
            Log.warnf("event relay round failed, will retry: %s", failure.toString());
            running.set(false);
        });
    }

    /** One round: the number of events published, or -1 when another replica holds the relay lock. */
    Uni<Integer> round() {
        return pool.withTransaction(conn -> conn.query("SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ")")
                .execute()
                .flatMap(lock -> lock.iterator().next().getBoolean(0) ? publishBatch(conn) : Uni.createFrom().item(-1)));
    }

    private Uni<Integer> publishBatch(SqlConnection conn) {
        return conn.preparedQuery("""
                SELECT seq, event_id::text, tenant, execution_id, type, payload::text, created_at
                FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT $1""")
                .execute(Tuple.of(config.events().relayBatchSize()))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(0);
                    }
                    long first = Long.MAX_VALUE;
                    long last = Long.MIN_VALUE;
                    for (Row row : rows) {
                        first = Math.min(first, row.getLong("created_at"));
                        last = Math.max(last, row.getLong("created_at"));
                    }
                    long from = first;
                    long to = last;
                    // the created_at range lets PostgreSQL look into the batch's partitions only
                    return publish(rows).flatMap(seqs -> conn.preparedQuery("""
                            UPDATE outbox_events SET published_at = $1
                            WHERE seq = ANY($2) AND created_at BETWEEN $3 AND $4""")
                            .execute(Tuple.of(System.currentTimeMillis(), seqs, from, to))
                            .replaceWith(seqs.length));
                });
    }

    private Uni<Long[]> publish(RowSet<Row> rows) {
        List<Uni<Void>> sends = new ArrayList<>(rows.size());
        Long[] seqs = new Long[rows.size()];
        int i = 0;
        for (Row row : rows) {
            seqs[i++] = row.getLong("seq");
            OutgoingRabbitMQMetadata metadata = OutgoingRabbitMQMetadata.builder()
                    .withRoutingKey(CloudEvents.routingKey(row.getString("tenant"), row.getString("execution_id"),
                            row.getString("type")))
                    .withContentType("application/cloudevents+json")
                    .withMessageId(row.getString("event_id"))
                    .withType(row.getString("type"))
                    .withDeliveryMode(2)
                    .withTimestamp(ZonedDateTime.now())
                    .build();
            sends.add(emitter.sendMessage(Message.of(row.getString("payload")).addMetadata(metadata)));
        }
        return Uni.join().all(sends).andFailFast()
                .ifNoItem().after(config.events().publishTimeout()).fail()
                .replaceWith(seqs);
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
