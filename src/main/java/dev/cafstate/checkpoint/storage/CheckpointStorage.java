package dev.cafstate.checkpoint.storage;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.metrics.Timings;
import dev.cafstate.common.security.Tenant;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Checkpoint objects in S3. The client is blocking (URL-connection), so every call runs on a worker thread and
 * never inside an open database transaction. Failures to reach S3 become 503 with {@code Retry-After}.
 */
@ApplicationScoped
public class CheckpointStorage {

    /** Object metadata (x-amz-meta-*) names. */
    public static final String META_SHA256 = "sha256";

    public static final String META_SCHEMA = "schema-version";

    private final S3Client s3;
    private final CafConfig config;
    private final Timings timings;

    public CheckpointStorage(S3Client s3, CafConfig config, Timings timings) {
        this.s3 = s3;
        this.config = config;
        this.timings = timings;
    }

    public String bucket() {
        return config.s3().bucket();
    }

    /** Writes one immutable object with its checksum and schema version in the metadata. */
    public Uni<Void> put(String key, byte[] bytes, String sha256, String schemaVersion) {
        return blocking("put", () -> {
            s3.putObject(
                    b -> {
                        b.bucket(bucket())
                                .key(key)
                                .contentType("application/json")
                                .metadata(Map.of(META_SHA256, sha256, META_SCHEMA, schemaVersion));
                        config.s3().serverSideEncryption().ifPresent(b::serverSideEncryption);
                        config.s3().kmsKeyId().ifPresent(b::ssekmsKeyId);
                    },
                    // the document is never changed after this point, so the SDK may read the array as it is
                    RequestBody.fromContentProvider(
                            ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length, "application/json"));
            return null;
        });
    }

    /** The object's bytes; 404 when it is gone. */
    public Uni<byte[]> get(String key) {
        return blocking("get", () -> {
            try {
                return s3.getObjectAsBytes(b -> b.bucket(bucket()).key(key)).asByteArray();
            } catch (NoSuchKeyException e) {
                throw new ResourceNotFound("the checkpoint object is missing from storage");
            }
        });
    }

    /** Whether an object exists under the key. */
    public Uni<Boolean> exists(String key) {
        return blocking("head", () -> {
            try {
                s3.headObject(b -> b.bucket(bucket()).key(key));
                return true;
            } catch (NoSuchKeyException e) {
                return false;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Deletes an object (no error when it is already gone). */
    public Uni<Void> delete(String key) {
        return blocking("delete", () -> {
            s3.deleteObject(b -> b.bucket(bucket()).key(key));
            return null;
        });
    }

    /** Best-effort delete used when rows could not be written; an object left behind is found by the reconciler. */
    public Uni<Void> deleteQuietly(String key) {
        return delete(key).onFailure().recoverWithItem(e -> {
            Log.warnf("could not remove object %s (%s); the reconciler will", key, e.toString());
            return null;
        });
    }

    /** Every object under a prefix with its last-modified time. */
    public Uni<List<StoredObject>> list(String prefix) {
        return blocking("list", () -> {
            List<StoredObject> objects = new ArrayList<>();
            String token = null;
            do {
                String continuation = token;
                ListObjectsV2Response page =
                        s3.listObjectsV2(b -> b.bucket(bucket()).prefix(prefix).continuationToken(continuation));
                for (S3Object o : page.contents()) {
                    if (!o.key().endsWith("/")) { // "directory" markers of some stores are never checkpoints
                        objects.add(new StoredObject(o.key(), o.lastModified(), o.size()));
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            return objects;
        });
    }

    /** The prefix for this deployment's objects of a tenant. */
    public String tenantPrefix(Tenant tenant) {
        return ObjectKeys.tenantPrefix(config.s3().keyPrefix().orElse(null), tenant.id());
    }

    /** The prefix under which every tenant's objects of this deployment lie. */
    public String allTenantsPrefix() {
        return ObjectKeys.allTenants(config.s3().keyPrefix().orElse(null));
    }

    /** The key for a checkpoint document. */
    public String key(Tenant tenant, String executionId, String checkpointId, String sha256) {
        return ObjectKeys.checkpoint(
                config.s3().keyPrefix().orElse(null), tenant.id(), executionId, checkpointId, sha256);
    }

    /** An object in the bucket. */
    public record StoredObject(String key, Instant lastModified, Long size) {}

    /**
     * Runs an S3 call on a worker thread (the SDK client blocks), timed as {@code caf.s3.requests} by operation and
     * outcome; SDK failures become 503 with a retry hint.
     */
    private <T> Uni<T> blocking(String operation, Supplier<T> call) {
        return timings.time(
                        "caf.s3.requests",
                        "operation",
                        operation,
                        () -> Uni.createFrom().item(call).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .onFailure(e -> e instanceof SdkException || e instanceof UncheckedIOException)
                .transform(e -> {
                    Log.warnf("S3 call failed: %s", e.toString());
                    return new DependencyUnavailable("object storage (S3)", 5);
                });
    }
}
