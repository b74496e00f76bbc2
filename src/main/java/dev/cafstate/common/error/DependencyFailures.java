package dev.cafstate.common.error;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/** Recognises failures of PostgreSQL (or another dependency) that a retry may cure, so they become 503s. */
public final class DependencyFailures {

    private DependencyFailures() {}

    /**
     * Messages of the SQL client's connection-level failures that carry no exception type of their own (a connection
     * reset or closed under a request, the pool closing at shutdown, a wait for a free connection).
     */
    static boolean connectionLost(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("timeout waiting for connection")
                || m.contains("connection is not active")
                || m.contains("connection reset")
                || m.contains("connection closed")
                || m.contains("pool closed")
                || m.contains("connection was closed")
                || m.contains("broken pipe");
    }

    /** A 503 problem for a dependency failure found in the cause chain, or {@code null} for anything else. */
    public static ApiException classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
            if (t instanceof PgException pg) {
                String state = pg.getSqlState() == null ? "" : pg.getSqlState();
                if (state.equals("23514")
                        && String.valueOf(pg.getErrorMessage()).contains("no partition")) {
                    // the outbox has no partition for now: its maintenance has not run for a long while
                    return new DependencyUnavailable("PostgreSQL (the outbox has no partition for this time)", 5);
                }
                // 08 connection, 53 resources, 57 operator intervention, 40001/40P01 serialization/deadlock
                if (state.startsWith("08")
                        || state.startsWith("53")
                        || state.startsWith("57")
                        || state.equals("40001")
                        || state.equals("40P01")) {
                    return new DependencyUnavailable("PostgreSQL", 2);
                }
                return null;
            }
            if (t instanceof ConnectException
                    || t instanceof ClosedConnectionException
                    || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException
                    || t instanceof TimeoutException
                    || t instanceof SocketException
                    || t instanceof ClosedChannelException
                    || t.getClass().getName().endsWith("ConnectTimeoutException")
                    || connectionLost(t.getMessage())) {
                return new DependencyUnavailable("PostgreSQL", 2);
            }
        }
        return null;
    }
}
