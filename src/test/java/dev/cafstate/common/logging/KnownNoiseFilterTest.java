package dev.cafstate.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

/** Only the Vert.x pool's double fail is dropped; every other record, and that message from elsewhere, is kept. */
class KnownNoiseFilterTest {

    static LogRecord record(Throwable thrown) {
        LogRecord r = new LogRecord(Level.SEVERE, "Uncaught exception received by Vert.x");
        r.setThrown(thrown);
        return r;
    }

    static IllegalStateException thrownAt(String message, String className) {
        IllegalStateException e = new IllegalStateException(message);
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 90),
            new StackTraceElement(className, "lambda$execute$3", "X.java", 216)
        });
        return e;
    }

    @Test
    void dropsThePoolTimersSecondFail() {
        assertThat(new KnownNoiseFilter()
                        .isLoggable(record(thrownAt(
                                "Result is already complete", "io.vertx.sqlclient.impl.pool.SqlConnectionPool"))))
                .isFalse();
    }

    @Test
    void keepsEverythingElse() {
        KnownNoiseFilter filter = new KnownNoiseFilter();
        assertThat(filter.isLoggable(record(null))).isTrue();
        assertThat(filter.isLoggable(record(thrownAt("Result is already complete", "dev.cafstate.Other"))))
                .isTrue();
        assertThat(filter.isLoggable(
                        record(thrownAt("something else", "io.vertx.sqlclient.impl.pool.SqlConnectionPool"))))
                .isTrue();
        assertThat(filter.isLoggable(record(new IllegalArgumentException("Result is already complete"))))
                .isTrue();
    }
}
