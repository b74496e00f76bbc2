package dev.cafstate.checkpoint.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The scrub's passes (cursor, counts, lease) and the problems it found (tables of migration V7). */
@ApplicationScoped
public class ScrubRepository {

    /** The scope of the scheduled pass over every tenant. */
    public static final String ALL_TENANTS = "*";

    private static final String PASS_COLUMNS = """
            scope, cursor_tenant, cursor_id, started_at, finished_at, checked, corrupt, missing, repaired""";

    private final Pool pool;

    public ScrubRepository(Pool pool) {
        this.pool = pool;
    }

    /** A pass: where it is, and what it found so far. */
    public record Pass(
            String scope,
            String cursorTenant,
            String cursorId,
            long startedAt,
            Long finishedAt,
            long checked,
            long corrupt,
            long missing,
            long repaired) {}

    /** A problem the scrub found. */
    public record Problem(
            String checkpointId, String objectKey, String problem, String detail, long detectedAt, Long repairedAt) {}

    /** Starts (or starts over) the pass of a scope. */
    public Uni<Pass> start(String scope, long now) {
        return pool.preparedQuery("""
                INSERT INTO scrub_passes (scope, started_at) VALUES ($1, $2)
                ON CONFLICT (scope) DO UPDATE SET cursor_tenant = NULL, cursor_id = NULL, started_at = $2,
                  finished_at = NULL, checked = 0, corrupt = 0, missing = 0, repaired = 0
                RETURNING %s""".formatted(PASS_COLUMNS))
                .execute(Tuple.of(scope, now))
                .map(rows -> pass(rows.iterator().next()));
    }

    /** The pass of a scope, or null. */
    public Uni<Pass> find(String scope) {
        return pool.preparedQuery("SELECT " + PASS_COLUMNS + " FROM scrub_passes WHERE scope = $1")
                .execute(Tuple.of(scope))
                .map(rows -> rows.size() == 0 ? null : pass(rows.iterator().next()));
    }

    /** Scopes whose pass is under way, the scheduled one first. */
    public Uni<List<String>> unfinished() {
        return pool.query("SELECT scope FROM scrub_passes WHERE finished_at IS NULL ORDER BY scope = '*' DESC, "
                        + "started_at")
                .execute()
                .map(rows -> {
                    List<String> scopes = new ArrayList<>();
                    rows.forEach(r -> scopes.add(r.getString("scope")));
                    return scopes;
                });
    }

    /**
     * Takes (or renews) the lease of a scope for {@code owner} until {@code until}; false when another replica
     * holds it.
     */
    public Uni<Boolean> lease(String scope, String owner, long now, long until) {
        return pool.preparedQuery("""
                UPDATE scrub_passes SET lease_owner = $2, lease_until = $4
                WHERE scope = $1 AND finished_at IS NULL
                  AND (lease_until IS NULL OR lease_until < $3 OR lease_owner = $2)
                RETURNING 1""")
                .execute(Tuple.of(scope, owner, now, until))
                .map(rows -> rows.size() == 1);
    }

    /** Moves the pass on past {@code (tenant, id)}, adding what this batch found. */
    public Uni<Void> advance(
            String scope, Tenant tenant, String id, long checked, long corrupt, long missing, long repaired) {
        return pool.preparedQuery("""
                UPDATE scrub_passes SET cursor_tenant = $2, cursor_id = $3, checked = checked + $4,
                  corrupt = corrupt + $5, missing = missing + $6, repaired = repaired + $7
                WHERE scope = $1""")
                .execute(Tuple.from(new Object[] {scope, tenant.id(), id, checked, corrupt, missing, repaired}))
                .replaceWithVoid();
    }

    /** Ends the pass of a scope and gives up its lease. */
    public Uni<Void> finish(String scope, long now) {
        return pool.preparedQuery("""
                UPDATE scrub_passes SET finished_at = $2, lease_owner = NULL, lease_until = NULL
                WHERE scope = $1""").execute(Tuple.of(scope, now)).replaceWithVoid();
    }

    /** Records a problem (or a repair: {@code repairedAt} not null); the latest finding replaces an earlier one. */
    public Uni<Void> record(
            Tenant tenant,
            String checkpointId,
            String objectKey,
            String problem,
            String detail,
            long now,
            Long repairedAt) {
        return pool.preparedQuery("""
                INSERT INTO scrub_problems (tenant, checkpoint_id, object_key, problem, detail, detected_at,
                  repaired_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (tenant, checkpoint_id) DO UPDATE SET object_key = EXCLUDED.object_key,
                  problem = EXCLUDED.problem, detail = EXCLUDED.detail, detected_at = EXCLUDED.detected_at,
                  repaired_at = EXCLUDED.repaired_at""")
                .execute(Tuple.from(
                        new Object[] {tenant.id(), checkpointId, objectKey, problem, detail, now, repairedAt}))
                .replaceWithVoid();
    }

    /** Closes an open problem of a checkpoint that is now sound (it was repaired by other means). */
    public Uni<Void> resolved(Tenant tenant, String checkpointId, long now) {
        return pool.preparedQuery("""
                UPDATE scrub_problems SET repaired_at = $3
                WHERE tenant = $1 AND checkpoint_id = $2 AND repaired_at IS NULL""")
                .execute(Tuple.of(tenant.id(), checkpointId, now))
                .replaceWithVoid();
    }

    /** A tenant's problems, newest first; only the open ones when {@code openOnly}. */
    public Uni<List<Problem>> problems(Tenant tenant, boolean openOnly, int limit) {
        return pool.preparedQuery("""
                SELECT checkpoint_id, object_key, problem, detail, detected_at, repaired_at FROM scrub_problems
                WHERE tenant = $1 AND ($2 = false OR repaired_at IS NULL)
                ORDER BY detected_at DESC, checkpoint_id LIMIT $3""")
                .execute(Tuple.of(tenant.id(), openOnly, limit))
                .map(rows -> {
                    List<Problem> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new Problem(
                            r.getString("checkpoint_id"),
                            r.getString("object_key"),
                            r.getString("problem"),
                            r.getString("detail"),
                            r.getLong("detected_at"),
                            r.getLong("repaired_at"))));
                    return list;
                });
    }

    /** How many problems are open across tenants (the metric). */
    public Uni<Long> openProblems() {
        return pool.query("SELECT count(*) AS open_problems FROM scrub_problems WHERE repaired_at IS NULL")
                .execute()
                .map(rows -> rows.iterator().next().getLong("open_problems"));
    }

    private static Pass pass(Row r) {
        return new Pass(
                r.getString("scope"),
                r.getString("cursor_tenant"),
                r.getString("cursor_id"),
                r.getLong("started_at"),
                r.getLong("finished_at"),
                r.getLong("checked"),
                r.getLong("corrupt"),
                r.getLong("missing"),
                r.getLong("repaired"));
    }
}
