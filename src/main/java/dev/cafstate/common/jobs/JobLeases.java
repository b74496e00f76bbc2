package dev.cafstate.common.jobs;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Leases of background jobs (table {@code job_leases}, migration V9): a replica runs a job only while it holds the
 * job's lease, which expires on its own if the replica dies or freezes. Times are PostgreSQL's clock, so replicas
 * with different clocks agree.
 */
@ApplicationScoped
public class JobLeases {

    private static final String NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    private final Pool pool;
    private final String owner = UUID.randomUUID().toString();

    public JobLeases(Pool pool) {
        this.pool = pool;
    }

    /** This replica's name in the leases. */
    public String owner() {
        return owner;
    }

    /** Takes or renews the job's lease for {@code ttlMs}; false when another replica holds it. */
    public Uni<Boolean> acquire(String job, long ttlMs) {
        return pool.preparedQuery("""
                INSERT INTO job_leases (job, owner, until_ms) VALUES ($1, $2, %1$s + $3)
                ON CONFLICT (job) DO UPDATE SET owner = EXCLUDED.owner, until_ms = EXCLUDED.until_ms
                WHERE job_leases.until_ms < %1$s OR job_leases.owner = EXCLUDED.owner
                RETURNING 1""".formatted(NOW_MS))
                .execute(Tuple.of(job, owner, ttlMs))
                .map(rows -> rows.size() == 1);
    }

    /** Gives the lease up (another replica may take it at once). */
    public Uni<Void> release(String job) {
        return pool.preparedQuery("UPDATE job_leases SET until_ms = 0 WHERE job = $1 AND owner = $2")
                .execute(Tuple.of(job, owner))
                .replaceWithVoid();
    }
}
