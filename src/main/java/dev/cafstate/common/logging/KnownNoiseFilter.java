package dev.cafstate.common.logging;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Drops one known, harmless ERROR so that an outage's log shows the outage, not a library's bookkeeping: when
 * PostgreSQL cannot be reached, the Vert.x SQL pool fails the request at once but leaves its acquire timer running,
 * and the timer later fails the same promise again ({@code IllegalStateException: Result is already complete} in
 * {@code SqlConnectionPool}, reported as an uncaught exception; vertx-sql-client issue 1706). The request already got
 * its 503; nothing else happens. Any other uncaught exception is logged as before.
 */
@LoggingFilter(name = "known-noise")
public final class KnownNoiseFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        return !isPoolTimerDoubleFail(record.getThrown());
    }

    static boolean isPoolTimerDoubleFail(Throwable thrown) {
        if (!(thrown instanceof IllegalStateException) || !"Result is already complete".equals(thrown.getMessage())) {
            return false;
        }
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (frame.getClassName().equals("io.vertx.sqlclient.impl.pool.SqlConnectionPool")) {
                return true;
            }
        }
        return false;
    }
}
