package dev.cafstate.health;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.cafstate.common.config.CafConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Readiness check of the checkpoint bucket. Without S3 only checkpoint writes and reads fail (with 503), while the
 * runtime keeps working; so an unreachable bucket is reported in the check's data and does not take the replica
 * out of service unless {@code caf.health.strict} says so.
 */
@Readiness
@ApplicationScoped
public class ObjectStorageHealthCheck implements AsyncHealthCheck {

    private final S3Client s3;
    private final CafConfig config;
    private final AtomicReference<String> lastError = new AtomicReference<>();

    public ObjectStorageHealthCheck(S3Client s3, CafConfig config) {
        this.s3 = s3;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom()
                .item(() -> {
                    try {
                        s3.headBucket(b -> b.bucket(config.s3().bucket()));
                        return (String) null;
                    } catch (RuntimeException e) {
                        return e.getClass().getSimpleName();
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                // answered within the bound even when S3 does not answer (the call itself ends at its own timeouts)
                .ifNoItem()
                .after(Duration.ofMillis(1500))
                .recoverWithItem("Timeout")
                .map(error -> {
                    lastError.set(error);
                    HealthCheckResponseBuilder builder = HealthCheckResponse.named("s3")
                            .withData("bucket", config.s3().bucket())
                            .withData("reachable", error == null);
                    if (error != null) {
                        builder.withData("error", error);
                    }
                    return builder.status(error == null || !config.health().strict())
                            .build();
                });
    }
}
