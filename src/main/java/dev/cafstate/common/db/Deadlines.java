package dev.cafstate.common.db;

import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Bounds the time a database operation may take on the client side. PostgreSQL's own {@code statement_timeout}
 * stops slow statements, but not a connection whose packets are dropped (a black-holed network, a frozen server):
 * there the reply never comes and TCP does not notice for many minutes. The operation fails with a
 * {@link TimeoutException} instead, which becomes a 503; the stuck connection goes back to the pool if its reply
 * ever arrives.
 */
final class Deadlines {

    private final Vertx vertx;
    private final long timeoutMs;
    private final Runnable onStatement;

    /** Deadlines of {@code timeoutMs}; {@code onStatement} runs once per statement sent (a counter). */
    Deadlines(Vertx vertx, long timeoutMs, Runnable onStatement) {
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
        this.onStatement = onStatement;
    }

    boolean enabled() {
        return timeoutMs > 0;
    }

    /** The operation's outcome, or a failure once it took longer than the deadline. */
    <T> Future<T> bound(String what, Supplier<Future<T>> operation) {
        onStatement.run();
        if (!enabled()) {
            return operation.get();
        }
        Promise<T> result = Promise.promise();
        long timer = vertx.setTimer(timeoutMs, id -> result.tryFail(timeout(what)));
        try {
            operation.get().onComplete(ar -> {
                vertx.cancelTimer(timer);
                if (ar.succeeded()) {
                    result.tryComplete(ar.result());
                } else {
                    result.tryFail(ar.cause());
                }
            });
        } catch (RuntimeException e) {
            vertx.cancelTimer(timer);
            result.tryFail(e);
        }
        return result.future();
    }

    /** A timer that can be armed and disarmed repeatedly, failing {@code onExpiry} when it fires. */
    Watch watch(String what, Promise<?> onExpiry) {
        return new Watch(what, onExpiry);
    }

    TimeoutException timeout(String what) {
        return new TimeoutException(
                "PostgreSQL did not answer " + what + " within " + timeoutMs + " ms (caf.db.statement-timeout)");
    }

    /** See {@link #watch}. */
    final class Watch {
        private final String what;
        private final Promise<?> onExpiry;
        private long timer = -1;

        private Watch(String what, Promise<?> onExpiry) {
            this.what = what;
            this.onExpiry = onExpiry;
        }

        synchronized void arm() {
            if (enabled() && timer < 0) {
                timer = vertx.setTimer(timeoutMs, id -> onExpiry.tryFail(timeout(what)));
            }
        }

        synchronized void disarm() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
