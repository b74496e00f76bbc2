package dev.cafstate.events;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps the time-partitioned outbox (migration V8): range partitions of {@code caf.events.partition-interval} are
 * created ahead of time, and a partition whose events are all published and older than {@code caf.events.retention}
 * is dropped whole, which costs the same whatever it holds. Rows that fell into the DEFAULT partition are deleted one
 * by one as before. One replica works at a time (an advisory lock); every statement that needs a lock on the outbox
 * gives up after {@code LOCK_TIMEOUT} and is tried again next round, so it never stalls the appends for long.
 */
@ApplicationScoped
public class OutboxPartitions {

    /** Advisory lock key of this job ("CAFPARTS"). */
    static final long LOCK_KEY = 0x434146_5041525453L;
    static final String LOCK_TIMEOUT = "200ms";
    /** Partitions created ahead of the current one. */
    static final int AHEAD = 2;
    private static final Pattern NAME = Pattern.compile("outbox_events_p(\\d+)_(\\d+)");

    private final Pool pool;
    private final CafConfig config;

    public OutboxPartitions(Pool pool, CafConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** A range partition {@code [from, to)} of {@code created_at}. */
    record Partition(String name, long from, long to) {
    }

    void start(@Observes StartupEvent event, Vertx vertx) {
        long every = Math.max(1000, Math.min(60_000, config.events().partitionInterval().toMillis() / 4));
        maintain().subscribe().with(x -> { }, e -> Log.warnf("outbox partitions not maintained yet: %s", e));
        vertx.setPeriodic(every, id -> maintain().subscribe().with(x -> { },
                e -> Log.warnf("outbox partition maintenance failed, will retry: %s", e.toString())));
    }

    /** One round: create the partitions due, drop those past retention, clean the default partition. */
    public Uni<Void> maintain() {
        long now = System.currentTimeMillis();
        long interval = config.events().partitionInterval().toMillis();
        long cutoff = now - config.events().retention().toMillis();
        return pool.withTransaction(conn -> conn.query("SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ")").execute()
                .flatMap(lock -> !lock.iterator().next().getBoolean(0) ? Uni.createFrom().voidItem()
                        : conn.query("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'").execute()
                                .flatMap(x -> partitions(conn))
                                .flatMap(existing -> create(conn, existing, now, interval)
                                        .flatMap(x -> drop(conn, existing, cutoff)))
                                .flatMap(x -> conn.preparedQuery("""
                                        DELETE FROM outbox_events_default
                                        WHERE published_at IS NOT NULL AND created_at < $1""")
                                        .execute(Tuple.of(cutoff)))
                                .replaceWithVoid()));
    }

    /** The range partitions, in order. */
    Uni<List<Partition>> partitions(SqlConnection conn) {
        return conn.query("""
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'outbox_events'::regclass""").execute().map(rows -> {
                    List<Partition> list = new ArrayList<>();
                    rows.forEach(r -> {
                        Matcher m = NAME.matcher(r.getString(0));
                        if (m.matches()) {
                            list.add(new Partition(m.group(0), Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
                        }
                    });
                    list.sort((a, b) -> Long.compare(a.from(), b.from()));
                    return list;
                });
    }

    /**
     * Creates the partitions from the end of the last one (or the current interval) to {@link #AHEAD} intervals
     * ahead, each as a plain table attached afterwards: attaching takes a weaker lock on the outbox than creating a
     * partition in place. A range that rows already in the default partition fall into is skipped.
     */
    private Uni<Void> create(SqlConnection conn, List<Partition> existing, long now, long interval) {
        long start = Math.floorDiv(now, interval) * interval;
        long from = existing.isEmpty() ? start : Math.max(existing.get(existing.size() - 1).to(), start);
        long until = start + (AHEAD + 1) * interval;
        List<Partition> due = new ArrayList<>();
        for (long f = from; f < until; f += interval) {
            due.add(new Partition("outbox_events_p" + f + "_" + (f + interval), f, f + interval));
        }
        return Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(p -> conn.query("SAVEPOINT p")
                .execute()
                .flatMap(x -> conn.query("CREATE TABLE " + p.name() + " (LIKE outbox_events INCLUDING DEFAULTS)")
                        .execute())
                .flatMap(x -> conn.query("ALTER TABLE outbox_events ATTACH PARTITION " + p.name()
                        + " FOR VALUES FROM (" + p.from() + ") TO (" + p.to() + ")").execute())
                .flatMap(x -> conn.query("RELEASE SAVEPOINT p").execute())
                .onFailure().recoverWithUni(e -> {
                    Log.debugf("outbox partition %s not created now: %s", p.name(), e.getMessage());
                    return conn.query("ROLLBACK TO SAVEPOINT p").execute();
                }))
                .collect().asList().replaceWithVoid();
    }

    /** Drops the partitions that end before the cutoff and hold no unpublished event. */
    private Uni<Void> drop(SqlConnection conn, List<Partition> existing, long cutoff) {
        List<Partition> old = existing.stream().filter(p -> p.to() <= cutoff).toList();
        return Multi.createFrom().iterable(old).onItem().transformToUniAndConcatenate(p -> conn
                .query("SELECT 1 FROM " + p.name() + " WHERE published_at IS NULL LIMIT 1").execute()
                .flatMap(unpublished -> unpublished.size() > 0 ? Uni.createFrom().voidItem()
                        : conn.query("SAVEPOINT d").execute()
                                .flatMap(x -> conn.query("DROP TABLE " + p.name()).execute())
                                .flatMap(x -> conn.query("RELEASE SAVEPOINT d").execute())
                                .invoke(() -> Log.debugf("dropped outbox partition %s", p.name()))
                                .replaceWithVoid()
                                .onFailure().recoverWithUni(e -> {
                                    Log.debugf("outbox partition %s not dropped now: %s", p.name(), e.getMessage());
                                    return conn.query("ROLLBACK TO SAVEPOINT d").execute().replaceWithVoid();
                                })))
                .collect().asList().replaceWithVoid();
    }
}
