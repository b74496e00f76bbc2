package dev.cafstate.common.http;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.cafstate.common.error.ShuttingDown;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;

/**
 * Closes the door before Quarkus waits for the requests in flight. On SIGTERM the replica keeps serving for the
 * shutdown delay (readiness down, endpoints being removed); then Quarkus waits until no request is in flight and
 * closes the server. A request that arrives after that wait ended is still carried out (Quarkus 3.33 only marks its
 * answer {@code Connection: close}) and the closing server cuts its answer: a write committed without an answer. So
 * from just before the delay ends ({@link #MARGIN}; at once with a delay of 0) every new request is answered at once
 * with a 503 ({@link ShuttingDown}, {@code Retry-After: 1}) and changes nothing; those already running finish and are
 * answered within the drain. This needs {@code quarkus.shutdown.delay-enabled} (set in application.properties): without
 * it the only signal is the {@code ShutdownEvent}, which comes after Quarkus' drain.
 */
@ApplicationScoped
public class DrainGate {

    /** How long before the end of the shutdown delay the door closes. */
    static final Duration MARGIN = Duration.ofMillis(250);

    private final Vertx vertx;
    private final Duration delay;
    private volatile boolean closed;

    public DrainGate(Vertx vertx, @ConfigProperty(name = "quarkus.shutdown.delay") Duration delay) {
        this.vertx = vertx;
        this.delay = delay;
    }

    void delayStarted(@Observes ShutdownDelayInitiatedEvent event) {
        long ms = Math.max(0, delay.minus(MARGIN).toMillis());
        if (ms == 0) {
            close();
        } else {
            vertx.setTimer(ms, id -> close());
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        close();
    }

    private void close() {
        if (!closed) {
            closed = true;
            Log.info("shutting down: new requests are answered 503 from now on; those in flight finish");
        }
    }

    @ServerRequestFilter(preMatching = true, priority = 1)
    public void refuseWhenClosed(ContainerRequestContext request) {
        if (closed) {
            throw new ShuttingDown();
        }
    }
}
