package dev.cafstate.transfer.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.Columns;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every statement on {@code transfer_jobs} and {@code transfer_items} (migration V10). Leases use PostgreSQL's clock,
 * so replicas agree on who holds a job; counts are read from the items, so they are never out of step with them.
 */
@ApplicationScoped
public class TransferJobRepository {

    static final String NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    private static final String JOB_COLUMNS = """
            id::text AS id, tenant, kind, location, source, status, request::text AS request, dry_run, resume,
            handoff_id::text AS handoff_id,
            listing_token, listing_done, result::text AS result, error, created_at, updated_at, finished_at""";

    /** A new job and its items known ahead; nothing when a job with this id exists (a handoff's export, retried). */
    static final Statement CREATE = Statement.of("""
            WITH j AS (
              INSERT INTO transfer_jobs (id, tenant, kind, location, source, status, request, dry_run, resume,
                handoff_id, listing_done, created_at, updated_at)
              VALUES (:id, :tenant, :kind, :location, :source, 'queued', :request::text::json, :dry_run, :resume,
                :handoff_id, :listing_done, :now, :now)
              ON CONFLICT (id) DO NOTHING
              RETURNING id),
            i AS (
              INSERT INTO transfer_items (job_id, key, checkpoint_id, sha256, size_bytes, status, meta)
              SELECT j.id, u.key, u.checkpoint_id, u.sha256, u.size_bytes, u.status, u.meta::json
              FROM j, unnest(:keys::text[], :checkpoint_ids::text[], :sha256s::text[], :sizes::bigint[],
                :statuses::text[], :metas::text[]) AS u(key, checkpoint_id, sha256, size_bytes, status, meta)
              ON CONFLICT (job_id, key) DO NOTHING)
            SELECT count(*) AS created FROM j""");

    /**
     * Adds a key to the open job that bucket notifications of a location and tenant fill (made when there is none):
     * the job a replica takes is closed to new keys (it is running), so the next key opens another.
     */
    static final Statement NOTIFY = Statement.of("""
            WITH j AS (
              INSERT INTO transfer_jobs (id, tenant, kind, location, source, status, request, created_at, updated_at,
                listing_done)
              VALUES (:id, :tenant, 'import', :location, 'notification', 'queued', '{"keys":[]}', :now, :now, true)
              ON CONFLICT (location, tenant) WHERE source = 'notification' AND status = 'queued'
              DO UPDATE SET updated_at = EXCLUDED.updated_at
              RETURNING id)
            INSERT INTO transfer_items (job_id, key, status)
            SELECT j.id, :key, 'pending' FROM j
            ON CONFLICT (job_id, key) DO NOTHING""");

    /** The outcomes of a batch of items, written only by the replica that holds the job's lease. */
    static final Statement MARK_ALL = Statement.of("""
            UPDATE transfer_items i SET status = u.status, reason = u.reason,
              checkpoint_id = COALESCE(u.checkpoint_id, i.checkpoint_id)
            FROM unnest(:seqs::bigint[], :statuses::text[], :reasons::text[], :checkpoint_ids::text[])
              AS u(seq, status, reason, checkpoint_id)
            WHERE i.job_id = :id AND i.seq = u.seq
              AND EXISTS (SELECT 1 FROM transfer_jobs j WHERE j.id = :id AND j.lease_owner = :owner)""");

    /** Takes the oldest open job whose lease is free, for {@code :lease_ms}. */
    static final Statement CLAIM = Statement.of("""
            UPDATE transfer_jobs SET status = 'running', lease_owner = :owner,
              lease_until = %1$s + :lease_ms, updated_at = %1$s
            WHERE id = (
              SELECT id FROM transfer_jobs
              WHERE status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < %1$s)
              ORDER BY created_at LIMIT 1
              FOR UPDATE SKIP LOCKED)
            RETURNING %2$s""".formatted(NOW_MS, JOB_COLUMNS));

    static final Statement RENEW = Statement.of("""
            UPDATE transfer_jobs SET lease_until = %s + :lease_ms
            WHERE id = :id AND lease_owner = :owner AND status = 'running'
            RETURNING 1""".formatted(NOW_MS));

    /** Gives a job back without finishing it: it is taken again once {@code :wait_ms} have passed. */
    static final Statement PAUSE = Statement.of("""
            UPDATE transfer_jobs SET lease_owner = NULL, lease_until = %s + :wait_ms, error = :error
            WHERE id = :id AND lease_owner = :owner""".formatted(NOW_MS));

    static final Statement FINISH = Statement.of("""
            UPDATE transfer_jobs SET status = :status, result = :result::text::json, error = :error,
              finished_at = %1$s, updated_at = %1$s, lease_owner = NULL, lease_until = NULL
            WHERE id = :id AND lease_owner = :owner
            RETURNING 1""".formatted(NOW_MS));

    /** Records a prefix listing's page: its keys, the next page's token and whether it was the last. */
    static final Statement LISTED = Statement.of("""
            WITH u AS (
              UPDATE transfer_jobs SET listing_token = :token, listing_done = :done, updated_at = %s
              WHERE id = :id AND lease_owner = :owner
              RETURNING id)
            INSERT INTO transfer_items (job_id, key, size_bytes, status)
            SELECT u.id, k.key, k.size, k.status
            FROM u, unnest(:keys::text[], :sizes::bigint[], :statuses::text[]) AS k(key, size, status)
            ON CONFLICT (job_id, key) DO NOTHING""".formatted(NOW_MS));

    /**
     * Adds a manifest's entries: a key a listing saw without a manifest becomes pending; one already there stays as
     * it is (the same object named twice is one item).
     */
    static final Statement EXPAND = Statement.of("""
            INSERT INTO transfer_items (job_id, key, checkpoint_id, sha256, size_bytes, status, meta)
            SELECT :id, u.key, u.checkpoint_id, u.sha256, u.size_bytes, 'pending', u.meta::json
            FROM unnest(:keys::text[], :checkpoint_ids::text[], :sha256s::text[], :sizes::bigint[], :metas::text[])
              AS u(key, checkpoint_id, sha256, size_bytes, meta)
            ON CONFLICT (job_id, key) DO UPDATE SET status = 'pending', checkpoint_id = EXCLUDED.checkpoint_id,
              sha256 = EXCLUDED.sha256, size_bytes = EXCLUDED.size_bytes, meta = EXCLUDED.meta
            WHERE transfer_items.status = 'listed'""");

    private final Pool pool;

    public TransferJobRepository(Pool pool) {
        this.pool = pool;
    }

    /** Creates a job with the items known ahead; false when the id was taken. */
    public Uni<Boolean> create(SqlClient client, TransferJob j, List<TransferItem> items, long now) {
        Params p = Params.of()
                .put("id", j.id())
                .put("tenant", j.tenant().id())
                .put("kind", j.kind())
                .put("location", j.location())
                .put("source", j.source())
                .put("request", j.request())
                .put("dry_run", j.dryRun())
                .put("resume", j.resume())
                .put("handoff_id", j.handoffId())
                .put("listing_done", j.listingDone())
                .put("now", now)
                .put("keys", items.stream().map(TransferItem::key).toArray(String[]::new))
                .put(
                        "checkpoint_ids",
                        items.stream().map(TransferItem::checkpointId).toArray(String[]::new))
                .put("sha256s", items.stream().map(TransferItem::sha256).toArray(String[]::new))
                .put("sizes", items.stream().map(TransferItem::sizeBytes).toArray(Long[]::new))
                .put("statuses", items.stream().map(TransferItem::status).toArray(String[]::new))
                .put("metas", items.stream().map(TransferItem::meta).toArray(String[]::new));
        return CREATE.run(client, p).map(rows -> rows.iterator().next().getLong("created") == 1);
    }

    /** Adds a key announced by a bucket notification to the location's open notification job of the tenant. */
    public Uni<Void> notified(String location, Tenant tenant, String key, long now) {
        return NOTIFY.run(
                        pool,
                        Params.of()
                                .put("id", UUID.randomUUID())
                                .put("tenant", tenant.id())
                                .put("location", location)
                                .put("now", now)
                                .put("key", key))
                .replaceWithVoid();
    }

    /** The next job for this replica, or null. */
    public Uni<TransferJob> claim(String owner, long leaseMs) {
        return CLAIM.run(pool, Params.of().put("owner", owner).put("lease_ms", leaseMs))
                .map(rows ->
                        rows.size() == 0 ? null : job(Columns.of(rows.iterator().next())));
    }

    /** Renews the lease; false when the job is no longer this replica's. */
    public Uni<Boolean> renew(UUID id, String owner, long leaseMs) {
        return RENEW.run(pool, Params.of().put("id", id).put("owner", owner).put("lease_ms", leaseMs))
                .map(rows -> rows.size() == 1);
    }

    public Uni<Void> pause(UUID id, String owner, long waitMs, String error) {
        return PAUSE.run(
                        pool,
                        Params.of()
                                .put("id", id)
                                .put("owner", owner)
                                .put("wait_ms", waitMs)
                                .put("error", error))
                .replaceWithVoid();
    }

    /** Finishes a job held by this replica; false when it was not (another replica took it over meanwhile). */
    public Uni<Boolean> finish(UUID id, String owner, String status, String result, String error) {
        return FINISH.run(
                        pool,
                        Params.of()
                                .put("id", id)
                                .put("owner", owner)
                                .put("status", status)
                                .put("result", result)
                                .put("error", error))
                .map(rows -> rows.size() == 1);
    }

    /** Stores what the job learnt that its items do not say (a manifest's handoff, say), while it runs. */
    public Uni<Void> result(UUID id, String result) {
        return pool.preparedQuery("UPDATE transfer_jobs SET result = $2::text::json WHERE id = $1")
                .execute(Tuple.of(id, result))
                .replaceWithVoid();
    }

    public Uni<Void> listed(UUID id, String owner, List<TransferItem> items, String token, boolean done) {
        return LISTED.run(
                        pool,
                        Params.of()
                                .put("id", id)
                                .put("owner", owner)
                                .put("token", token)
                                .put("done", done)
                                .put(
                                        "keys",
                                        items.stream().map(TransferItem::key).toArray(String[]::new))
                                .put(
                                        "sizes",
                                        items.stream()
                                                .map(TransferItem::sizeBytes)
                                                .toArray(Long[]::new))
                                .put(
                                        "statuses",
                                        items.stream().map(TransferItem::status).toArray(String[]::new)))
                .replaceWithVoid();
    }

    public Uni<Void> expand(UUID id, List<TransferItem> items) {
        return EXPAND.run(
                        pool,
                        Params.of()
                                .put("id", id)
                                .put(
                                        "keys",
                                        items.stream().map(TransferItem::key).toArray(String[]::new))
                                .put(
                                        "checkpoint_ids",
                                        items.stream()
                                                .map(TransferItem::checkpointId)
                                                .toArray(String[]::new))
                                .put(
                                        "sha256s",
                                        items.stream().map(TransferItem::sha256).toArray(String[]::new))
                                .put(
                                        "sizes",
                                        items.stream()
                                                .map(TransferItem::sizeBytes)
                                                .toArray(Long[]::new))
                                .put(
                                        "metas",
                                        items.stream().map(TransferItem::meta).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /** The next pending items in order. */
    public Uni<List<TransferItem>> pending(UUID id, int limit) {
        return pool.preparedQuery("""
                        SELECT seq, key, checkpoint_id, sha256, size_bytes, status, reason, meta::text AS meta
                        FROM transfer_items WHERE job_id = $1 AND status = 'pending' ORDER BY seq LIMIT $2""").execute(Tuple.of(id, limit)).map(rows -> {
            List<TransferItem> list = new ArrayList<>(rows.size());
            rows.forEach(r -> list.add(item(r)));
            return list;
        });
    }

    /** Every item in a status, in order (a manifest is built from the exported ones). */
    public Uni<List<TransferItem>> items(UUID id, List<String> statuses) {
        return pool.preparedQuery("""
                        SELECT seq, key, checkpoint_id, sha256, size_bytes, status, reason, meta::text AS meta
                        FROM transfer_items WHERE job_id = $1 AND status = ANY($2) ORDER BY seq""")
                .execute(Tuple.of(id, statuses.toArray(String[]::new)))
                .map(rows -> {
                    List<TransferItem> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(item(r)));
                    return list;
                });
    }

    /** Records the outcomes of a batch of items in one statement, while {@code owner} holds the job's lease. */
    Uni<Void> markAll(UUID id, String owner, List<Marks.Mark> marks) {
        if (marks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return MARK_ALL.run(
                        pool,
                        Params.of()
                                .put("id", id)
                                .put("owner", owner)
                                .put("seqs", marks.stream().map(Marks.Mark::seq).toArray(Long[]::new))
                                .put(
                                        "statuses",
                                        marks.stream().map(Marks.Mark::status).toArray(String[]::new))
                                .put(
                                        "reasons",
                                        marks.stream().map(Marks.Mark::reason).toArray(String[]::new))
                                .put(
                                        "checkpoint_ids",
                                        marks.stream()
                                                .map(Marks.Mark::checkpointId)
                                                .toArray(String[]::new)))
                .replaceWithVoid();
    }

    public Uni<TransferJob> find(UUID id) {
        return pool.preparedQuery("SELECT " + JOB_COLUMNS + " FROM transfer_jobs WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows ->
                        rows.size() == 0 ? null : job(Columns.of(rows.iterator().next())));
    }

    /** Items per status. */
    public Uni<Map<String, Long>> counts(UUID id) {
        return pool.preparedQuery("SELECT status, count(*) AS n FROM transfer_items WHERE job_id = $1 GROUP BY status")
                .execute(Tuple.of(id))
                .map(rows -> {
                    Map<String, Long> counts = new LinkedHashMap<>();
                    rows.forEach(r -> counts.put(r.getString("status"), r.getLong("n")));
                    return counts;
                });
    }

    /** The first items that failed or conflicted (with their reasons), at most {@code limit}. */
    public Uni<List<TransferItem>> problems(UUID id, int limit) {
        return pool.preparedQuery("""
                        SELECT seq, key, checkpoint_id, sha256, size_bytes, status, reason, NULL AS meta
                        FROM transfer_items WHERE job_id = $1 AND status IN ('failed', 'conflict', 'listed')
                        ORDER BY seq LIMIT $2""").execute(Tuple.of(id, limit)).map(rows -> {
            List<TransferItem> list = new ArrayList<>(rows.size());
            rows.forEach(r -> list.add(item(r)));
            return list;
        });
    }

    private static TransferItem item(Row r) {
        return new TransferItem(
                r.getLong("seq"),
                r.getString("key"),
                r.getString("checkpoint_id"),
                r.getString("sha256"),
                r.getLong("size_bytes"),
                r.getString("status"),
                r.getString("reason"),
                r.getString("meta"));
    }

    private static TransferJob job(Columns c) {
        return new TransferJob(
                UUID.fromString(c.text("id")),
                Tenant.of(c.text("tenant")),
                c.text("kind"),
                c.text("location"),
                c.text("source"),
                c.text("status"),
                c.text("request"),
                c.bool("dry_run"),
                c.bool("resume"),
                c.text("handoff_id") == null ? null : UUID.fromString(c.text("handoff_id")),
                c.text("listing_token"),
                c.bool("listing_done"),
                c.text("result"),
                c.text("error"),
                c.int64("created_at"),
                c.int64("updated_at"),
                c.int64("finished_at"));
    }
}
