package dev.cafstate.common.db;

import java.util.function.Function;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.TransactionPropagation;
import io.vertx.sqlclient.spi.DatabaseMetadata;

/**
 * The application's PostgreSQL pool with a client-side deadline on every statement, and on the parts of a
 * transaction that are not the caller's statements (acquiring the connection, {@code BEGIN}, {@code COMMIT} or
 * {@code ROLLBACK}). The time the caller spends between its statements (e.g. the event relay waiting for the broker's
 * confirms) is not bounded here. Every repository reaches PostgreSQL through this pool, so no request can hang on a
 * database that stopped answering.
 */
@SuppressWarnings("deprecation") // Quarkus exposes the pool as a PgPool bean too
final class BoundedPool implements PgPool {

    private final Pool delegate;
    private final Deadlines deadlines;
    private final Runnable onTransaction;

    BoundedPool(Pool delegate, Deadlines deadlines, Runnable onTransaction) {
        this.delegate = delegate;
        this.deadlines = deadlines;
        this.onTransaction = onTransaction;
    }

    @Override
    public void getConnection(Handler<AsyncResult<SqlConnection>> handler) {
        getConnection().onComplete(handler);
    }

    @Override
    public Future<SqlConnection> getConnection() {
        return delegate.getConnection().map(this::wrap);
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
        return BoundedQueries.query(delegate.query(sql), deadlines);
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
        return BoundedQueries.prepared(delegate.preparedQuery(sql), deadlines);
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
        return BoundedQueries.prepared(delegate.preparedQuery(sql, options), deadlines);
    }

    @Override
    public <T> void withTransaction(Function<SqlConnection, Future<T>> function, Handler<AsyncResult<T>> handler) {
        withTransaction(function).onComplete(handler);
    }

    @Override
    public <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> function) {
        onTransaction.run();
        Promise<T> result = Promise.promise();
        Deadlines.Watch watch = deadlines.watch("a transaction's BEGIN, COMMIT or ROLLBACK", result);
        watch.arm();
        delegate.<T>withTransaction(conn -> {
                    watch.disarm();
                    Future<T> body;
                    try {
                        body = function.apply(wrap(conn));
                    } catch (RuntimeException e) {
                        body = Future.failedFuture(e);
                    }
                    return body.onComplete(x -> watch.arm());
                })
                .onComplete(ar -> {
                    watch.disarm();
                    if (ar.succeeded()) {
                        result.tryComplete(ar.result());
                    } else {
                        result.tryFail(ar.cause());
                    }
                });
        return result.future();
    }

    @Override
    public <T> void withTransaction(
            TransactionPropagation propagation,
            Function<SqlConnection, Future<T>> function,
            Handler<AsyncResult<T>> handler) {
        withTransaction(propagation, function).onComplete(handler);
    }

    @Override
    public <T> Future<T> withTransaction(
            TransactionPropagation propagation, Function<SqlConnection, Future<T>> function) {
        return delegate.withTransaction(propagation, conn -> function.apply(wrap(conn)));
    }

    @Override
    public <T> void withConnection(Function<SqlConnection, Future<T>> function, Handler<AsyncResult<T>> handler) {
        withConnection(function).onComplete(handler);
    }

    @Override
    public <T> Future<T> withConnection(Function<SqlConnection, Future<T>> function) {
        return delegate.withConnection(conn -> function.apply(wrap(conn)));
    }

    @Override
    public void close(Handler<AsyncResult<Void>> handler) {
        delegate.close(handler);
    }

    @Override
    public Future<Void> close() {
        return delegate.close();
    }

    @Override
    public PgPool connectHandler(Handler<SqlConnection> handler) {
        delegate.connectHandler(handler);
        return this;
    }

    @Override
    public PgPool connectionProvider(Function<Context, Future<SqlConnection>> provider) {
        delegate.connectionProvider(provider);
        return this;
    }

    @Override
    public int size() {
        return delegate.size();
    }

    private SqlConnection wrap(SqlConnection conn) {
        return conn instanceof BoundedConnection ? conn : new BoundedConnection(conn, deadlines);
    }

    /** A connection whose statements are bounded by the deadline. */
    private static final class BoundedConnection implements SqlConnection {
        private final SqlConnection delegate;
        private final Deadlines deadlines;

        BoundedConnection(SqlConnection delegate, Deadlines deadlines) {
            this.delegate = delegate;
            this.deadlines = deadlines;
        }

        @Override
        public Query<RowSet<Row>> query(String sql) {
            return BoundedQueries.query(delegate.query(sql), deadlines);
        }

        @Override
        public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
            return BoundedQueries.prepared(delegate.preparedQuery(sql), deadlines);
        }

        @Override
        public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
            return BoundedQueries.prepared(delegate.preparedQuery(sql, options), deadlines);
        }

        @Override
        public SqlConnection prepare(String sql, Handler<AsyncResult<PreparedStatement>> handler) {
            prepare(sql).onComplete(handler);
            return this;
        }

        @Override
        public Future<PreparedStatement> prepare(String sql) {
            return deadlines.bound("a prepare", () -> delegate.prepare(sql));
        }

        @Override
        public SqlConnection prepare(
                String sql, PrepareOptions options, Handler<AsyncResult<PreparedStatement>> handler) {
            prepare(sql, options).onComplete(handler);
            return this;
        }

        @Override
        public Future<PreparedStatement> prepare(String sql, PrepareOptions options) {
            return deadlines.bound("a prepare", () -> delegate.prepare(sql, options));
        }

        @Override
        public SqlConnection exceptionHandler(Handler<Throwable> handler) {
            delegate.exceptionHandler(handler);
            return this;
        }

        @Override
        public SqlConnection closeHandler(Handler<Void> handler) {
            delegate.closeHandler(handler);
            return this;
        }

        @Override
        public void begin(Handler<AsyncResult<Transaction>> handler) {
            begin().onComplete(handler);
        }

        @Override
        public Future<Transaction> begin() {
            return deadlines.bound("BEGIN", delegate::begin);
        }

        @Override
        public Transaction transaction() {
            return delegate.transaction();
        }

        @Override
        public boolean isSSL() {
            return delegate.isSSL();
        }

        @Override
        public void close(Handler<AsyncResult<Void>> handler) {
            delegate.close(handler);
        }

        @Override
        public Future<Void> close() {
            return delegate.close();
        }

        @Override
        public DatabaseMetadata databaseMetadata() {
            return delegate.databaseMetadata();
        }
    }
}
