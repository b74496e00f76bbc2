package dev.cafstate.common.db;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collector;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;

/** Queries whose every execution is bounded by the statement deadline. */
final class BoundedQueries {

    private BoundedQueries() {}

    static <T> Query<T> query(Query<T> q, Deadlines deadlines) {
        return new BoundedQuery<>(q, deadlines);
    }

    static <T> PreparedQuery<T> prepared(PreparedQuery<T> q, Deadlines deadlines) {
        return new BoundedPreparedQuery<>(q, deadlines);
    }

    private static <T> void reply(Future<T> future, Handler<AsyncResult<T>> handler) {
        future.onComplete(handler);
    }

    private static final class BoundedQuery<T> implements Query<T> {
        private final Query<T> delegate;
        private final Deadlines deadlines;

        BoundedQuery(Query<T> delegate, Deadlines deadlines) {
            this.delegate = delegate;
            this.deadlines = deadlines;
        }

        @Override
        public void execute(Handler<AsyncResult<T>> handler) {
            reply(execute(), handler);
        }

        @Override
        public Future<T> execute() {
            return deadlines.bound("a statement", delegate::execute);
        }

        @Override
        public <R> Query<SqlResult<R>> collecting(Collector<Row, ?, R> collector) {
            return new BoundedQuery<>(delegate.collecting(collector), deadlines);
        }

        @Override
        public <U> Query<RowSet<U>> mapping(Function<Row, U> mapper) {
            return new BoundedQuery<>(delegate.mapping(mapper), deadlines);
        }
    }

    private static final class BoundedPreparedQuery<T> implements PreparedQuery<T> {
        private final PreparedQuery<T> delegate;
        private final Deadlines deadlines;

        BoundedPreparedQuery(PreparedQuery<T> delegate, Deadlines deadlines) {
            this.delegate = delegate;
            this.deadlines = deadlines;
        }

        @Override
        public void execute(Handler<AsyncResult<T>> handler) {
            reply(execute(), handler);
        }

        @Override
        public Future<T> execute() {
            return deadlines.bound("a statement", delegate::execute);
        }

        @Override
        public void execute(Tuple tuple, Handler<AsyncResult<T>> handler) {
            reply(execute(tuple), handler);
        }

        @Override
        public Future<T> execute(Tuple tuple) {
            return deadlines.bound("a statement", () -> delegate.execute(tuple));
        }

        @Override
        public void executeBatch(List<Tuple> batch, Handler<AsyncResult<T>> handler) {
            reply(executeBatch(batch), handler);
        }

        @Override
        public Future<T> executeBatch(List<Tuple> batch) {
            return deadlines.bound("a statement", () -> delegate.executeBatch(batch));
        }

        @Override
        public <R> PreparedQuery<SqlResult<R>> collecting(Collector<Row, ?, R> collector) {
            return new BoundedPreparedQuery<>(delegate.collecting(collector), deadlines);
        }

        @Override
        public <U> PreparedQuery<RowSet<U>> mapping(Function<Row, U> mapper) {
            return new BoundedPreparedQuery<>(delegate.mapping(mapper), deadlines);
        }
    }
}
