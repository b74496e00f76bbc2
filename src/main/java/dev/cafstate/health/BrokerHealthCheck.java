package dev.cafstate.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.events.OutboxRelay;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Readiness check of event delivery: the outbox backlog and whether the relay's last round reached the broker. A
 * broker outage delays events but never fails a state change, so it is reported in the data and only fails
 * readiness when {@code caf.health.strict} is on.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements AsyncHealthCheck {

    private final Pool pool;
    private final OutboxRelay relay;
    private final CafConfig config;

    public BrokerHealthCheck(Pool pool, OutboxRelay relay, CafConfig config) {
        this.pool = pool;
        this.relay = relay;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query("SELECT count(*) FROM outbox_events WHERE published_at IS NULL").execute()
                .map(rows -> rows.iterator().next().getLong(0))
                .onFailure().recoverWithItem(-1L)
                .map(backlog -> {
                    boolean delivering = relay.lastFailureAt() <= relay.lastSuccessAt();
                    var builder = HealthCheckResponse.named("broker")
                            .withData("delivering", delivering)
                            .withData("outbox_backlog", backlog);
                    if (!delivering && relay.lastError() != null) {
                        builder.withData("last_error", relay.lastError());
                    }
                    return builder.status(delivering || !config.health().strict()).build();
                });
    }
}
