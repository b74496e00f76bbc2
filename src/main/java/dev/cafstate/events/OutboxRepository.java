package dev.cafstate.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every statement on the outbox ({@code outbox_events}, partitioned by {@code created_at}, migration V8): the
 * insert of a change's events (alone, or as a CTE inside the change's own statement), the relay's reads and marks,
 * the SSE feed, the replicas' poll for new rows, the backlog reading, and the partitions' upkeep.
 */
@ApplicationScoped
public class OutboxRepository {

    /**
     * The CloudEvents JSON of the event at {@code ev.ord} with its number ({@code oseq.before + ev.ord}) added as the
     * {@code sequence} member (migration V14).
     */
    private static final String WITH_SEQUENCE = "caf_event_with_sequence(ev.value, oseq.before + ev.ord)";

    /**
     * The insert of the events in JSON array {@code $3} for tenant {@code $1}, execution {@code $2}, at {@code $4}:
     * the execution's counter goes up by their number (its row lock keeps one execution's events committing in
     * order), and they take the numbers it went past. The events' JSON is counted once, in the counter's one row: a
     * count in the rows of the insert would parse the whole array again for each event once the statement's plan is
     * the generic one (a batch of 1,000 steps then ran past the statement timeout).
     */
    static final String INSERT = """
            WITH oseq AS (
              INSERT INTO event_sequences AS es (tenant, execution_id, last)
              VALUES ($1, $2, json_array_length($3::text::json))
              ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
              RETURNING es.last - json_array_length($3::text::json) AS before)
            INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
            SELECT (ev.value ->> 'id')::uuid, $1, $2, oseq.before + ev.ord, ev.value ->> 'type', %s, $4
            FROM oseq, json_array_elements($3::text::json) WITH ORDINALITY AS ev(value, ord)
            ORDER BY ev.ord""".formatted(WITH_SEQUENCE);

    private final Pool pool;

    public OutboxRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * CTEs named {@code oseq} and {@code o} inserting the events of JSON array {@code :events} (see
     * {@link EventRecorder}) for {@code :tenant} and {@code :execution}, created at {@code :now}, numbered like
     * {@link #INSERT} does, once per row of {@code after} (the change they announce, at most one row: no row, no
     * event): the outbox part of a single-statement change. The counter's row lock is taken when {@code after} has
     * been read, so {@code after} must include every CTE that locks the execution's row (PostgreSQL runs an
     * unreferenced CTE last): the execution's row first, then its counter, in every statement.
     */
    public static String insertCte(String after) {
        return """
                oseq AS (
                  INSERT INTO event_sequences AS es (tenant, execution_id, last)
                  SELECT :tenant, :execution, json_array_length(:events::text::json) FROM %s
                  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
                  RETURNING es.last - json_array_length(:events::text::json) AS before),
                o AS (
                  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
                  SELECT (ev.value ->> 'id')::uuid, :tenant, :execution, oseq.before + ev.ord, ev.value ->> 'type',
                    %s, :now
                  FROM oseq, json_array_elements(:events::text::json) WITH ORDINALITY AS ev(value, ord)
                  ORDER BY ev.ord)""".formatted(after, WITH_SEQUENCE);
    }

    /** Inserts the events (JSON array) of one change, inside the change's transaction. */
    public Uni<Void> insert(SqlClient conn, Tenant tenant, String executionId, String events, long now) {
        return conn.preparedQuery(INSERT)
                .execute(Tuple.of(tenant.id(), executionId, events, now))
                .replaceWithVoid();
    }

    // ---- the relay ---------------------------------------------------------------------------------------

    /** An event waiting to be published. */
    public record Pending(
            long seq, String eventId, String tenant, String executionId, String type, String payload, long createdAt) {}

    /**
     * Takes the relay's lock for this transaction; false when another replica relays. The transaction is bounded: once
     * it sits idle longer than {@code idleBound} (its holder frozen, cut off from the database, or stopped between two
     * statements), PostgreSQL ends the session, and with it the lock.
     */
    public Uni<Boolean> tryRelayLock(SqlConnection conn, long key, Duration idleBound) {
        return conn.preparedQuery("""
                        SELECT set_config('idle_in_transaction_session_timeout', $1, true),
                          pg_try_advisory_xact_lock($2) AS locked""")
                .execute(Tuple.of(String.valueOf(idleBound.toMillis()), key))
                .map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    /** The oldest unpublished events, in {@code seq} order. */
    public Uni<List<Pending>> unpublished(SqlConnection conn, int limit) {
        return conn.preparedQuery("""
                SELECT seq, event_id::text, tenant, execution_id, type, payload::text, created_at
                FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT $1
                """).execute(Tuple.of(limit)).map(rows -> {
            List<Pending> list = new ArrayList<>(rows.size());
            for (Row r : rows) {
                list.add(new Pending(
                        r.getLong("seq"),
                        r.getString("event_id"),
                        r.getString("tenant"),
                        r.getString("execution_id"),
                        r.getString("type"),
                        r.getString("payload"),
                        r.getLong("created_at")));
            }
            return list;
        });
    }

    /** Marks events published; their {@code created_at} range lets PostgreSQL look into their partitions only. */
    public Uni<Void> markPublished(SqlConnection conn, Long[] seqs, long fromCreated, long toCreated, long now) {
        return conn.preparedQuery("""
                UPDATE outbox_events SET published_at = $1
                WHERE seq = ANY($2) AND created_at BETWEEN $3 AND $4""")
                .execute(Tuple.of(now, seqs, fromCreated, toCreated))
                .replaceWithVoid();
    }

    // ---- readers ----------------------------------------------------------------------------------------

    /** An execution's events numbered above {@code after}, in order (the SSE stream). */
    public Uni<List<StoredEvent>> after(Tenant tenant, String executionId, long after, int limit) {
        return pool.preparedQuery("""
                SELECT sequence, type, payload::text FROM outbox_events
                WHERE tenant = $1 AND execution_id = $2 AND sequence > $3 ORDER BY sequence LIMIT $4""")
                .execute(Tuple.of(tenant.id(), executionId, after, limit))
                .map(rows -> {
                    List<StoredEvent> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(
                            new StoredEvent(r.getLong("sequence"), r.getString("type"), r.getString("payload"))));
                    return list;
                });
    }

    /** The number of an execution's last event at or before outbox position {@code seq} (0 for none). */
    public Uni<Long> sequenceUpTo(Tenant tenant, String executionId, long seq) {
        return pool.preparedQuery("""
                SELECT coalesce(max(sequence), 0) AS n FROM outbox_events
                WHERE tenant = $1 AND execution_id = $2 AND seq <= $3""")
                .execute(Tuple.of(tenant.id(), executionId, seq))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** The highest sequence number so far (0 for none). */
    public Uni<Long> lastSeq() {
        return pool.query("SELECT coalesce(max(seq), 0) AS last_seq FROM outbox_events")
                .execute()
                .map(rows -> rows.iterator().next().getLong("last_seq"));
    }

    /** An execution with events newer than a sequence number, and the newest of them. */
    public record Newer(String tenant, String executionId, long lastSeq) {}

    /** The executions with events after {@code after} (a range scan on {@code seq}). */
    public Uni<List<Newer>> executionsWithEventsAfter(long after) {
        return pool.preparedQuery("""
                SELECT tenant, execution_id, max(seq) AS last FROM outbox_events WHERE seq > $1
                GROUP BY tenant, execution_id""").execute(Tuple.of(after)).map(rows -> {
            List<Newer> list = new ArrayList<>(rows.size());
            rows.forEach(
                    r -> list.add(new Newer(r.getString("tenant"), r.getString("execution_id"), r.getLong("last"))));
            return list;
        });
    }

    /** The backlog: unpublished events and the age of the oldest, by PostgreSQL's clock (null without a backlog). */
    public record Backlog(long events, Long oldestAgeMs) {}

    public Uni<Backlog> backlog() {
        return pool.query("""
                SELECT count(*) AS events,
                  (extract(epoch FROM clock_timestamp()) * 1000)::bigint - min(created_at) AS oldest
                FROM outbox_events WHERE published_at IS NULL""").execute().map(rows -> {
            Row r = rows.iterator().next();
            return new Backlog(r.getLong("events"), r.getLong("oldest"));
        });
    }

    // ---- partitions --------------------------------------------------------------------------------------

    /** A partition's name and whether a detach of it is pending. */
    public record PartitionName(String name, boolean detaching) {}

    /** Every partition of the outbox. */
    public Uni<List<PartitionName>> partitions() {
        return pool.query("""
                SELECT c.relname AS name, i.inhdetachpending AS detaching
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'outbox_events'::regclass""").execute().map(rows -> {
            List<PartitionName> list = new ArrayList<>();
            rows.forEach(r -> list.add(new PartitionName(r.getString("name"), r.getBoolean("detaching"))));
            return list;
        });
    }

    /**
     * Creates a partition as a plain table and attaches it for {@code [from, to)}: attaching takes a weaker lock on
     * the outbox than creating a partition in place. {@code name} is one this service made up, never input.
     */
    public Uni<Void> attachPartition(String name, long from, long to) {
        return pool.query("CREATE TABLE IF NOT EXISTS " + name + " (LIKE outbox_events INCLUDING DEFAULTS)")
                .execute()
                .flatMap(x -> pool.query("ALTER TABLE outbox_events ATTACH PARTITION " + name + " FOR VALUES FROM ("
                                + from + ") TO (" + to + ")")
                        .execute())
                .replaceWithVoid();
    }

    /** Whether a partition still holds an unpublished event. */
    public Uni<Boolean> hasUnpublished(String partition) {
        return pool.query("SELECT 1 FROM " + partition + " WHERE published_at IS NULL LIMIT 1")
                .execute()
                .map(rows -> rows.size() > 0);
    }

    /**
     * Detaches a partition {@code CONCURRENTLY} (without a lock the appends wait for; or finishes a detach an
     * interrupted round left pending) and drops it.
     */
    public Uni<Void> detachAndDrop(String partition, boolean pending) {
        return pool.query("ALTER TABLE outbox_events DETACH PARTITION " + partition
                        + (pending ? " FINALIZE" : " CONCURRENTLY"))
                .execute()
                .flatMap(x -> pool.query("DROP TABLE " + partition).execute())
                .replaceWithVoid();
    }

    /**
     * Forgets the event counters of executions that no longer exist and have no event left in the outbox; a counter
     * that moved since it was found (the execution made again meanwhile) is kept. The number of counters forgotten.
     */
    public Uni<Integer> forgetSequences() {
        return pool.query("""
                WITH gone AS (
                  SELECT s.tenant, s.execution_id, s.last FROM event_sequences s
                  WHERE NOT EXISTS (SELECT 1 FROM executions x WHERE x.tenant = s.tenant AND x.id = s.execution_id)
                    AND NOT EXISTS (SELECT 1 FROM outbox_events o
                                    WHERE o.tenant = s.tenant AND o.execution_id = s.execution_id))
                DELETE FROM event_sequences s USING gone g
                WHERE s.tenant = g.tenant AND s.execution_id = g.execution_id AND s.last = g.last""").execute().map(rows -> rows.rowCount());
    }
}
