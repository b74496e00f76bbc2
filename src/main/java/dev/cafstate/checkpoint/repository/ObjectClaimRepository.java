package dev.cafstate.checkpoint.repository;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Write claims on checkpoint objects (table {@code object_claims}, migration V4) and the per-key advisory lock that
 * orders claiming against deleting. Times are PostgreSQL's clock, so replicas agree on a claim's age.
 */
@ApplicationScoped
public class ObjectClaimRepository {

    /** First key of the two-key advisory locks on object keys ("CAFO"); the second is the key's hash. */
    static final int LOCK_CLASS = 0x4341464F;

    private static final String NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    /**
     * CTE {@code r} of the statement that writes a checkpoint's rows: removes claim {@code :claim} on
     * {@code :object_key}; no row when the claim is gone (a deletion found it expired, and the object may be gone
     * with it).
     */
    public static final String RELEASE_CTE = """
            r AS (
              DELETE FROM object_claims WHERE object_key = :object_key AND claim_id = :claim RETURNING 1)""";

    private final Pool pool;

    public ObjectClaimRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Commits a claim on {@code key} before the object is written. It waits while a deletion of the same key holds
     * the key's lock, so a claim is always either seen by a deletion or made after it finished.
     */
    public Uni<Void> claim(String key, UUID claimId, Tenant tenant) {
        return pool.preparedQuery("""
                INSERT INTO object_claims (object_key, claim_id, tenant, created_at)
                SELECT $1, $2, $3, %s FROM (SELECT pg_advisory_xact_lock(%d, hashtext($1))) l
                """.formatted(NOW_MS, LOCK_CLASS))
                .execute(Tuple.of(key, claimId, tenant.id()))
                .replaceWithVoid();
    }

    /** Removes the claim of a write that failed (its own transaction). */
    public Uni<Void> abandon(String key, UUID claimId) {
        return pool.preparedQuery("DELETE FROM object_claims WHERE object_key = $1 AND claim_id = $2")
                .execute(Tuple.of(key, claimId))
                .replaceWithVoid();
    }

    /**
     * Inside a deletion's transaction: takes the advisory lock of every key (in sorted order, so two deletions never
     * deadlock; a writer holds one lock at a time), held until the transaction ends, then drops claims older than
     * {@code expiredAfterMs}.
     *
     * @param sortedKeys the keys, sorted
     * @return the keys that still have a live claim: a write is in flight
     */
    public Uni<Set<String>> lockAndExpire(SqlConnection conn, List<String> sortedKeys, long expiredAfterMs) {
        String[] keys = sortedKeys.toArray(String[]::new);
        return conn.preparedQuery("""
                SELECT count(pg_advisory_xact_lock(%d, hashtext(k)))
                FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) s""".formatted(LOCK_CLASS))
                .execute(Tuple.of(keys))
                .flatMap(
                        x -> conn.preparedQuery("DELETE FROM object_claims WHERE object_key = ANY($1) AND created_at < "
                                        + NOW_MS + " - $2")
                                .execute(Tuple.of(keys, expiredAfterMs)))
                // a new statement: in READ COMMITTED it sees what writers committed while the delete waited
                .flatMap(x -> conn.preparedQuery(
                                "SELECT DISTINCT object_key FROM object_claims WHERE object_key = ANY($1)")
                        .execute(Tuple.of(keys)))
                .map(rows -> {
                    Set<String> live = new HashSet<>();
                    rows.forEach(r -> live.add(r.getString("object_key")));
                    return live;
                });
    }
}
