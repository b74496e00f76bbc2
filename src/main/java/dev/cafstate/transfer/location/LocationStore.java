package dev.cafstate.transfer.location;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.metrics.Timings;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in locations. Like the primary store the SDK client blocks, so every call runs on a worker thread, timed
 * as {@code caf.s3.requests{operation=location-*}}; a location that cannot be reached is a 503 (a job waits and goes
 * on later). Writes carry the location's server-side encryption.
 */
@ApplicationScoped
public class LocationStore {

    private final Timings timings;

    public LocationStore(Timings timings) {
        this.timings = timings;
    }

    /** An object's bytes and user metadata. */
    public record Stored(byte[] bytes, Map<String, String> metadata) {}

    /** A page of a listing: keys (with their sizes) and the token of the next page, null after the last. */
    public record Page(List<Listed> objects, String next) {}

    public record Listed(String key, long size) {}

    /** Writes an object; returns false when {@code createOnly} and an object is already there (412). */
    public Uni<Boolean> put(Location l, String key, byte[] bytes, Map<String, String> metadata, boolean createOnly) {
        return blocking("location-put", () -> {
            try {
                l.s3().putObject(
                                b -> {
                                    b.bucket(l.bucket())
                                            .key(key)
                                            .contentType("application/json")
                                            .metadata(metadata);
                                    l.serverSideEncryption().ifPresent(b::serverSideEncryption);
                                    l.kmsKeyId().ifPresent(b::ssekmsKeyId);
                                    if (createOnly) {
                                        b.ifNoneMatch("*");
                                    }
                                },
                                RequestBody.fromContentProvider(
                                        ContentStreamProvider.fromByteArrayUnsafe(bytes),
                                        bytes.length,
                                        "application/json"));
                return true;
            } catch (S3Exception e) {
                if (createOnly && (e.statusCode() == 412 || e.statusCode() == 409)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** The object, or null when there is none. */
    public Uni<Stored> get(Location l, String key) {
        return blocking("location-get", () -> {
            try {
                ResponseBytes<GetObjectResponse> r =
                        l.s3().getObjectAsBytes(b -> b.bucket(l.bucket()).key(key));
                return new Stored(r.asByteArray(), r.response().metadata());
            } catch (NoSuchKeyException e) {
                return null;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return null;
                }
                throw e;
            }
        });
    }

    /** The object's user metadata, or null when there is none. */
    public Uni<Map<String, String>> head(Location l, String key) {
        return blocking("location-head", () -> {
            try {
                HeadObjectResponse r =
                        l.s3().headObject(b -> b.bucket(l.bucket()).key(key));
                return r.metadata();
            } catch (NoSuchKeyException e) {
                return null;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return null;
                }
                throw e;
            }
        });
    }

    /** One page (at most 1,000 keys, S3's page) of the keys under {@code prefix}, from {@code token} on. */
    public Uni<Page> list(Location l, String prefix, String token) {
        return blocking("location-list", () -> {
            ListObjectsV2Response page = l.s3().listObjectsV2(
                            b -> b.bucket(l.bucket()).prefix(prefix).continuationToken(token));
            List<Listed> objects = new ArrayList<>(page.contents().size());
            for (S3Object o : page.contents()) {
                if (!o.key().endsWith("/")) {
                    objects.add(new Listed(o.key(), o.size() == null ? 0 : o.size()));
                }
            }
            return new Page(objects, Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null);
        });
    }

    /** The "directories" right under {@code prefix} (common prefixes for delimiter {@code /}), every page. */
    public Uni<List<String>> prefixes(Location l, String prefix) {
        return blocking("location-list", () -> {
            List<String> out = new ArrayList<>();
            String token = null;
            do {
                String t = token;
                ListObjectsV2Response page = l.s3().listObjectsV2(b ->
                        b.bucket(l.bucket()).prefix(prefix).delimiter("/").continuationToken(t));
                page.commonPrefixes().forEach(p -> out.add(p.prefix()));
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            return out;
        });
    }

    /** Whether the location's bucket answers (for {@code GET /locations}). */
    public Uni<Boolean> reachable(Location l) {
        return blocking("location-head-bucket", () -> {
                    l.s3().headBucket(b -> b.bucket(l.bucket()));
                    return true;
                })
                .onFailure()
                .recoverWithItem(false);
    }

    private <T> Uni<T> blocking(String operation, Supplier<T> call) {
        return timings.time(
                        "caf.s3.requests",
                        "operation",
                        operation,
                        () -> Uni.createFrom().item(call).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .onFailure(e -> e instanceof SdkException || e instanceof UncheckedIOException)
                .transform(e -> {
                    Log.warnf("location call failed: %s", e.toString());
                    return new DependencyUnavailable("a transfer location (S3)", 5);
                });
    }
}
