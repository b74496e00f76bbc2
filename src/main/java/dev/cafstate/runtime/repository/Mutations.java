package dev.cafstate.runtime.repository;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.http.IfMatch;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StaleVersion;
import dev.cafstate.common.error.StateConflict;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * How every runtime change is written: the execution's version is bumped in the same statement (or transaction) as
 * the change and its outbox events, only while the execution is live and, with {@code If-Match}, only at the
 * expected version. Fixed parameters: {@code $1} tenant, {@code $2} execution id, {@code $3} now (epoch ms),
 * {@code $4} the versions {@code If-Match} accepts ({@code bigint[]}) or null, {@code $5} events (JSON array).
 */
@ApplicationScoped
public class Mutations {

    /** Statuses in which the runtime parts may change. */
    static final String LIVE = "('pending', 'running', 'paused')";

    private final Pool pool;

    public Mutations(Pool pool) {
        this.pool = pool;
    }

    /** CTE {@code e}: the version bump, with extra assignments (e.g. counters) when given. */
    static String bumpCte(String extraSet) {
        return """
                e AS (
                  UPDATE executions SET version = version + 1, updated_at = $3%s
                  WHERE tenant = $1 AND id = $2 AND status IN %s AND ($4::bigint[] IS NULL OR version = ANY($4))
                  RETURNING version, step_count, message_count, tool_call_count)
                """.formatted(extraSet.isEmpty() ? "" : ", " + extraSet, LIVE);
    }

    /**
     * Runs a single-statement change whose main query selects {@code e.version} from {@code e}.
     *
     * @param failures what each {@code caf_fail} code raised by the statement means
     * @return the new version
     */
    public Uni<Long> single(String sql, Tuple params, Map<String, Supplier<ApiException>> failures) {
        return pool.preparedQuery(sql).execute(params)
                .onFailure(PgException.class).transform(e -> translate((PgException) e, failures))
                .flatMap(rows -> rows.size() == 0
                        ? classify(pool, Tenant.of(params.getString(0)), params.getString(1), precondition(params))
                        : Uni.createFrom().item(rows.iterator().next().getLong("version")));
    }

    /**
     * Runs a change in a transaction: first the plain version bump (failing like {@link #single} would), then
     * {@code body} with the connection and the new version.
     */
    public <T> Uni<T> inTransaction(Tenant tenant, String executionId, IfMatch expected, long now,
            BiFunction<SqlConnection, Long, Uni<T>> body) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                UPDATE executions SET version = version + 1, updated_at = $3
                WHERE tenant = $1 AND id = $2 AND status IN %s AND ($4::bigint[] IS NULL OR version = ANY($4))
                RETURNING version""".formatted(LIVE))
                .execute(Tuple.of(tenant.id(), executionId, now, IfMatch.sql(expected)))
                .flatMap(rows -> rows.size() == 0
                        ? Mutations.<Long> classify(conn, tenant, executionId, expected)
                        : Uni.createFrom().item(rows.iterator().next().getLong(0)))
                .flatMap(version -> body.apply(conn, version)));
    }

    /** The precondition a statement's parameters carry ({@code $4}). */
    private static IfMatch precondition(Tuple params) {
        Object value = params.getValue(3);
        if (value == null) {
            return null;
        }
        Object[] versions = (Object[]) value;
        long[] longs = new long[versions.length];
        for (int i = 0; i < versions.length; i++) {
            longs[i] = ((Number) versions[i]).longValue();
        }
        return new IfMatch(longs);
    }

    /** Why a change found no live execution at the expected version: 404, 409 (finished) or 412. */
    static <T> Uni<T> classify(io.vertx.mutiny.sqlclient.SqlClient client, Tenant tenant, String executionId,
            IfMatch expected) {
        return client.preparedQuery("SELECT status, version FROM executions WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant.id(), executionId))
                .map(rows -> {
                    throw why(rows, executionId, expected);
                });
    }

    private static ApiException why(RowSet<Row> rows, String executionId, IfMatch expected) {
        if (rows.size() == 0) {
            return new ResourceNotFound("execution '" + executionId + "' does not exist");
        }
        Row row = rows.iterator().next();
        if (expected != null && !expected.matches(row.getLong("version"))) {
            return new StaleVersion("execution '" + executionId + "' is at version " + row.getLong("version")
                    + "; If-Match names " + expected);
        }
        return new StateConflict("execution '" + executionId + "' is " + row.getString("status")
                + "; its runtime state can no longer change");
    }

    /** Maps {@code caf_fail} codes and constraint violations raised by a statement to API problems. */
    static Throwable translate(PgException e, Map<String, Supplier<ApiException>> failures) {
        String message = e.getErrorMessage();
        if ("P0001".equals(e.getSqlState()) && message != null && message.startsWith("caf:")) {
            Supplier<ApiException> problem = failures.get(message.substring(4));
            if (problem != null) {
                return problem.get();
            }
        }
        return e;
    }
}
