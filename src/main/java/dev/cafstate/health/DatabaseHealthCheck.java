package dev.cafstate.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Readiness of PostgreSQL, answered within {@link #BOUND} whatever the database does: a black-holed or frozen
 * PostgreSQL is DOWN after that long instead of holding the probe (Quarkus' own check waits for the pool).
 */
@Readiness
@ApplicationScoped
public class DatabaseHealthCheck implements AsyncHealthCheck {

    /** Longest the check waits; the kubelet's probe timeout should be above it. */
    static final Duration BOUND = Duration.ofMillis(1500);

    private final Pool pool;

    public DatabaseHealthCheck(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query("SELECT 1")
                .execute()
                .map(rows -> HealthCheckResponse.named("postgresql").up().build())
                .ifNoItem()
                .after(BOUND)
                .fail()
                .onFailure()
                .recoverWithItem(e -> HealthCheckResponse.named("postgresql")
                        .down()
                        .withData("error", e.getClass().getSimpleName())
                        .build());
    }
}
