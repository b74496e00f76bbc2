package dev.cafstate.common.error;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/** Recognises failures of PostgreSQL (or another dependency) that a retry may cure, so they become 503s. */
public final class DependencyFailures {

    private DependencyFailures() {
    }

    /** A 503 problem for a dependency failure found in the cause chain, or {@code null} for anything else. */
    public static ApiException classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
            if (t instanceof PgException pg) {
                String state = pg.getSqlState() == null ? "" : pg.getSqlState();
                // 08 connection, 53 resources, 57 operator intervention, 40001/40P01 serialization/deadlock
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                        || state.equals("40001") || state.equals("40P01")) {
                    return new DependencyUnavailable("PostgreSQL", 2);
                }
                return null;
            }
            if (t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException || t instanceof TimeoutException
                    || t.getClass().getName().endsWith("ConnectTimeoutException")
                    || (t.getMessage() != null && t.getMessage().contains("Timeout waiting for connection"))) {
                return new DependencyUnavailable("PostgreSQL", 2);
            }
        }
        return null;
    }
}
