package dev.cafstate.common.db;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import dev.cafstate.common.config.CafConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;

/**
 * Creates the application's PostgreSQL pool with bounded waits: connecting
 * ({@code caf.db.connect-timeout}), waiting for a free connection ({@code caf.db.acquire-timeout}), and every
 * statement on the client side ({@code caf.db.statement-timeout}, {@link BoundedPool}); PostgreSQL gets the same
 * {@code statement_timeout} for the statements it runs, unless {@code caf.db.server-statement-timeout} is off or the
 * pool goes through PgBouncer ({@code DB_PGBOUNCER}: Quarkus' layer-7 proxy mode, and no statement cache), which
 * refuses unknown start-up parameters and keeps no named prepared statement across transactions. TCP keepalives are
 * on, so a dead peer is noticed on idle connections too.
 */
@Singleton
public class PoolCreator implements PgPoolCreator {

    /**
     * The longest SQL text the client keeps prepared per connection. Vert.x's default is 2,048 characters: a longer
     * statement is parsed and planned again at every execution. Ours are constants of at most a few thousand
     * characters (a thought append grew past 2,048 and lost half its throughput in bench/run);
     * {@code StatementsRenderedTest} keeps every one of them under this.
     */
    public static final int STATEMENT_CACHE_SQL_LIMIT = 16_384;

    private final CafConfig config;
    private final MeterRegistry metrics;

    public PoolCreator(CafConfig config, MeterRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public Pool create(Input input) {
        CafConfig.Db db = config.db();
        PoolOptions pool = input.poolOptions()
                .setConnectionTimeout((int) Math.max(1, db.acquireTimeout().toMillis()))
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setConnectTimeout((int) db.connectTimeout().toMillis());
            options.setTcpKeepAlive(true);
            options.setPreparedStatementCacheSqlLimit(STATEMENT_CACHE_SQL_LIMIT);
            if (options.getUseLayer7Proxy()) {
                // a cached statement is a named one, kept on one server connection: PgBouncer in transaction mode
                // runs the next transaction on any other
                options.setCachePreparedStatements(false);
            }
            if (db.serverStatementTimeout()
                    && !options.getUseLayer7Proxy()
                    && !db.statementTimeout().isZero()) {
                options.addProperty(
                        "statement_timeout",
                        String.valueOf(db.statementTimeout().toMillis()));
            }
        }
        Log.infof(
                "PostgreSQL pool: at most %d connections, closed after %d s unused%s",
                pool.getMaxSize(),
                pool.getIdleTimeoutUnit().toSeconds(pool.getIdleTimeout()),
                input.pgConnectOptionsList().stream().anyMatch(PgConnectOptions::getUseLayer7Proxy)
                        ? ", through PgBouncer (unnamed prepared statements only)"
                        : "");
        Pool raw = PgBuilder.pool()
                .with(pool)
                .connectingTo(new ArrayList<SqlConnectOptions>(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
        // what a request costs in round trips: statements sent, and transactions (each adds BEGIN and COMMIT)
        Counter statements = Counter.builder("caf.db.statements")
                .tag("kind", "statement")
                .description("Statements the service sent to PostgreSQL (transactions add BEGIN and COMMIT)")
                .register(metrics);
        Counter transactions =
                Counter.builder("caf.db.statements").tag("kind", "transaction").register(metrics);
        return new BoundedPool(
                raw,
                new Deadlines(input.vertx(), db.statementTimeout().toMillis(), statements::increment),
                transactions::increment);
    }
}
