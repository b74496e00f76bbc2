package dev.cafstate.runtime.repository;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

/**
 * How every runtime change is written: the execution's version is bumped in the same statement (or transaction) as
 * the change and its outbox events ({@link ExecutionRepository#bumpCte}), only while the execution is live and, with
 * {@code If-Match}, only at an expected version. A change that finds no such execution fails as
 * {@link ExecutionRepository#whyNot} says (404, 409 or 412).
 */
@ApplicationScoped
public class Mutations {

    private final Pool pool;
    private final ExecutionRepository executions;

    public Mutations(Pool pool, ExecutionRepository executions) {
        this.pool = pool;
        this.executions = executions;
    }

    /** Who and what a change is: the parameters every change statement takes. */
    public record Change(Tenant tenant, String executionId, IfMatch expected, long now, String events) {

        /** {@code :tenant, :execution, :now, :expected, :events}, to which a statement adds its own. */
        Params params() {
            return Params.of()
                    .put("tenant", tenant.id())
                    .put("execution", executionId)
                    .put("now", now)
                    .put("expected", IfMatch.sql(expected))
                    .put("events", events);
        }
    }

    /**
     * Runs a single-statement change whose main query selects {@code e.version} from CTE {@code e}.
     *
     * @param params the change's {@link Change#params()} and the statement's own
     * @param failures what each {@code caf_fail} code raised by the statement means
     * @return the new version
     */
    Uni<Long> single(Statement statement, Change change, Params params, Map<String, Supplier<ApiException>> failures) {
        return statement
                .run(pool, params)
                .onFailure(PgException.class)
                .transform(e -> translate((PgException) e, failures))
                .flatMap(rows -> rows.size() == 0
                        ? executions.<Long>whyNot(pool, change.tenant(), change.executionId(), change.expected())
                        : Uni.createFrom().item(rows.iterator().next().getLong("version")));
    }

    /**
     * Runs a change in a transaction: first the plain version bump (failing like {@link #single} would), then
     * {@code body} with the connection and the new version.
     */
    public <T> Uni<T> inTransaction(
            Tenant tenant,
            String executionId,
            IfMatch expected,
            long now,
            BiFunction<SqlConnection, Long, Uni<T>> body) {
        return pool.withTransaction(conn -> executions
                .bump(conn, tenant, executionId, expected, now)
                .flatMap(version -> body.apply(conn, version)));
    }

    /** Maps {@code caf_fail} codes raised by a statement to API problems. */
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
