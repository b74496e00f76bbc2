package dev.cafstate.transfer.notify;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.DependencyFailures;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.time.Clock;
import dev.cafstate.transfer.job.TransferJobRepository;
import dev.cafstate.transfer.job.TransferWorker;
import dev.cafstate.transfer.location.Location;
import dev.cafstate.transfer.location.Locations;
import dev.cafstate.transfer.location.TransferKeys;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;

/**
 * S3 event notifications, in the AWS and MinIO JSON format, from a RabbitMQ queue: every manifest another cluster
 * created under a location that watches notifications is added to that location's open notification import of the
 * tenant it goes to, and that import takes the checkpoints the manifest names. A checkpoint object's own notification
 * starts nothing: its export is complete only once its manifest, written last, is there (the store sends one
 * notification per object, the checkpoints' before the manifest's). Notifications are neither unique nor ordered; the
 * import is idempotent. A message that is not such a notification, or that can never be recorded, goes to the
 * dead-letter queue at once; one that cannot be recorded now (the database is unavailable) is requeued after a pause.
 */
@ApplicationScoped
public class BucketNotifications {

    private final Locations locations;
    private final TransferJobRepository jobs;
    private final TransferWorker worker;
    private final Json json;
    private final Clock clock;
    private final CafConfig config;

    public BucketNotifications(
            Locations locations,
            TransferJobRepository jobs,
            TransferWorker worker,
            Json json,
            Clock clock,
            CafConfig config) {
        this.locations = locations;
        this.jobs = jobs;
        this.worker = worker;
        this.json = json;
        this.clock = clock;
        this.config = config;
    }

    /** An object a notification announced, under a location. */
    record Created(Location location, String key, TransferKeys.Parsed parsed) {}

    @Incoming("bucket-notifications")
    public Uni<Void> receive(Message<byte[]> message) {
        List<Created> created;
        try {
            created = parse(message.getPayload());
        } catch (RuntimeException e) {
            Log.warnf("bucket notification refused (dead-lettered): %s", e.getMessage());
            return Uni.createFrom().completionStage(message.nack(e, Metadata.of(new RabbitMQRejectMetadata(false))));
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Created c : created) {
            chain = chain.flatMap(x -> jobs.notified(
                    c.location().name(), c.location().destination(c.parsed().tenant()), c.key(), clock.now()));
        }
        return chain.flatMap(x -> {
                    if (!created.isEmpty()) {
                        worker.wake();
                    }
                    return Uni.createFrom().completionStage(message.ack());
                })
                .onFailure(e -> DependencyFailures.classify(e) == null)
                .recoverWithUni(e -> {
                    Log.warnf("bucket notification that cannot be recorded (dead-lettered): %s", e.toString());
                    return Uni.createFrom()
                            .completionStage(message.nack(e, Metadata.of(new RabbitMQRejectMetadata(false))));
                })
                .onFailure()
                .recoverWithUni(e -> {
                    Log.warnf("bucket notification not recorded yet (requeued): %s", e.toString());
                    return Uni.createFrom()
                            .voidItem()
                            .onItem()
                            .delayIt()
                            .by(Duration.ofSeconds(2))
                            .flatMap(x -> Uni.createFrom()
                                    .completionStage(message.nack(e, Metadata.of(new RabbitMQRejectMetadata(true)))));
                });
    }

    /**
     * The created objects a notification names under watched locations; throws when the message is not an S3 event
     * notification at all (a poison message).
     */
    List<Created> parse(byte[] payload) {
        JsonNode root;
        try {
            root = json.mapper().readTree(payload);
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON");
        }
        JsonNode records = root == null ? null : root.get("Records");
        if (records == null || !records.isArray()) {
            throw new IllegalArgumentException("no Records array: not an S3 event notification");
        }
        List<Created> out = new ArrayList<>();
        for (JsonNode r : records) {
            String event = r.path("eventName").asText("");
            if (!event.startsWith("s3:ObjectCreated:") && !event.startsWith("ObjectCreated:")) {
                continue;
            }
            String bucket = r.path("s3").path("bucket").path("name").textValue();
            String rawKey = r.path("s3").path("object").path("key").textValue();
            if (bucket == null || rawKey == null) {
                throw new IllegalArgumentException("a record without s3.bucket.name or s3.object.key");
            }
            String key = URLDecoder.decode(rawKey, StandardCharsets.UTF_8);
            for (Location l : locations.all()) {
                if (!l.notifications() || !l.bucket().equals(bucket) || !key.startsWith(TransferKeys.clusters(l))) {
                    continue;
                }
                TransferKeys.Parsed p = TransferKeys.parse(l, key);
                if (p.kind() == TransferKeys.Kind.MANIFEST
                        && !config.clusterId().equals(p.cluster())) {
                    out.add(new Created(l, key, p));
                }
            }
        }
        return out;
    }
}
