package dev.cafstate.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.events.OutboxMonitor;
import dev.cafstate.events.OutboxRelay;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Readiness check of event delivery, judged from the outbox all replicas share: the backlog, the age of the oldest
 * unpublished event, and whether delivery has stalled (an event older than {@code caf.events.stalled-after}). A
 * broker outage delays events but never fails a state change, so a stall is reported in the data and only fails
 * readiness when {@code caf.health.strict} is on.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements AsyncHealthCheck {

    private static final Duration BOUND = Duration.ofMillis(1500);

    private final OutboxMonitor monitor;
    private final OutboxRelay relay;
    private final CafConfig config;

    public BrokerHealthCheck(OutboxMonitor monitor, OutboxRelay relay, CafConfig config) {
        this.monitor = monitor;
        this.relay = relay;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return monitor.read()
                .ifNoItem()
                .after(BOUND)
                .fail()
                .onFailure()
                .recoverWithItem(e -> monitor.last())
                .map(r -> {
                    boolean known = r.backlog() >= 0;
                    boolean delivering = known && monitor.delivering(r);
                    var builder = HealthCheckResponse.named("broker")
                            .withData("delivering", delivering)
                            .withData("outbox_backlog", r.backlog())
                            .withData("oldest_pending_age_ms", r.oldestPendingAgeMs());
                    if (relay.lastError() != null && relay.lastFailureAt() > relay.lastSuccessAt()) {
                        builder.withData("last_error", relay.lastError());
                    }
                    return builder.status(delivering || !config.health().strict())
                            .build();
                });
    }
}
