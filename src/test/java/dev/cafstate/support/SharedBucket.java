package dev.cafstate.support;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.checkpoint.storage.ObjectKeys;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The bucket the test profile's locations share, seen as another cluster sees it: objects written with a plain S3
 * client in the transfer layout (as cluster {@code other} would write them), and S3 event notifications published to
 * the test's notification exchange.
 */
public final class SharedBucket {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final String NOTIFICATIONS = "caf.bucket-notifications.test";

    private SharedBucket() {}

    /** A checkpoint object written by another cluster: its key and SHA-256. */
    public record Written(String key, String sha256, long size, String id, String executionId) {}

    public static String base(String prefix, String cluster, String tenant) {
        return (prefix.isEmpty() ? "" : prefix + "/") + "clusters/" + ObjectKeys.segment(cluster) + "/tenants/"
                + ObjectKeys.segment(tenant) + "/";
    }

    /** Writes a CAF document as {@code cluster}'s export would: the bytes, their SHA-256 in key and metadata. */
    public static Written checkpoint(String prefix, String cluster, String tenant, JsonNode doc) {
        byte[] bytes = doc.toString().getBytes(StandardCharsets.UTF_8);
        String sha = CanonicalJson.sha256(bytes);
        String id = doc.get("id").asText();
        String execution = doc.get("execution_id").asText();
        String key = base(prefix, cluster, tenant) + "executions/" + ObjectKeys.segment(execution) + "/checkpoints/"
                + ObjectKeys.segment(id) + "/" + sha + ".json";
        put(key, bytes, Map.of("sha256", sha));
        return new Written(key, sha, bytes.length, id, execution);
    }

    /** Writes a manifest naming the objects (and a handoff when given), with its own SHA-256 in its metadata. */
    public static String manifest(
            String prefix, String cluster, String tenant, String exportId, List<Written> objects, ObjectNode handoff) {
        ObjectNode m = MAPPER.createObjectNode()
                .put("format", "caf-state-export/1")
                .put("export_id", exportId)
                .put("source_cluster", cluster)
                .put("tenant", tenant)
                .put("created_at", System.currentTimeMillis());
        ArrayNode entries = m.putArray("checkpoints");
        for (Written w : objects) {
            entries.addObject()
                    .put("id", w.id())
                    .put("execution_id", w.executionId())
                    .put("key", w.key())
                    .put("sha256", w.sha256())
                    .put("size", w.size())
                    .putNull("parent_checkpoint_id")
                    .put("is_branch", false);
        }
        if (handoff != null) {
            m.set("handoff", handoff);
        }
        byte[] bytes = m.toString().getBytes(StandardCharsets.UTF_8);
        String key = base(prefix, cluster, tenant) + "exports/" + ObjectKeys.segment(exportId) + ".manifest.json";
        put(key, bytes, Map.of("sha256", CanonicalJson.sha256(bytes)));
        return key;
    }

    public static void put(String key, byte[] bytes, Map<String, String> metadata) {
        try (S3Client s3 = Storage.client()) {
            s3.putObject(
                    b -> b.bucket(TestServices.SHARED_BUCKET).key(key).metadata(metadata),
                    RequestBody.fromBytes(bytes));
        }
    }

    /** The object's bytes, or null. */
    public static byte[] get(String key) {
        try (S3Client s3 = Storage.client()) {
            return s3.getObjectAsBytes(b -> b.bucket(TestServices.SHARED_BUCKET).key(key))
                    .asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    public static Map<String, String> metadata(String key) {
        try (S3Client s3 = Storage.client()) {
            return s3.headObject(b -> b.bucket(TestServices.SHARED_BUCKET).key(key))
                    .metadata();
        }
    }

    public static List<String> keys(String prefix) {
        try (S3Client s3 = Storage.client()) {
            return s3
                    .listObjectsV2Paginator(
                            b -> b.bucket(TestServices.SHARED_BUCKET).prefix(prefix))
                    .contents()
                    .stream()
                    .map(o -> o.key())
                    .filter(k -> !k.endsWith("/"))
                    .toList();
        }
    }

    /** An S3 event notification (MinIO's shape) for created objects, keys URL-encoded as S3 sends them. */
    public static String notification(String... keys) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode records = root.putArray("Records");
        for (String key : keys) {
            ObjectNode r = records.addObject()
                    .put("eventVersion", "2.0")
                    .put("eventSource", "minio:s3")
                    .put("eventName", "s3:ObjectCreated:Put");
            ObjectNode s3 = r.putObject("s3");
            s3.putObject("bucket").put("name", TestServices.SHARED_BUCKET);
            s3.putObject("object")
                    .put("key", URLEncoder.encode(key, StandardCharsets.UTF_8))
                    .put("size", 1);
        }
        return root.toString();
    }

    /** Publishes a message to the notification exchange, straight on the real RabbitMQ. */
    public static void publish(String body) throws Exception {
        try (Connection c = connection();
                Channel channel = c.createChannel()) {
            channel.exchangeDeclare(NOTIFICATIONS, "topic", true);
            channel.basicPublish(NOTIFICATIONS, "bucket-events", null, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** How many messages wait in the notification dead-letter queue. */
    public static long deadLetters() throws Exception {
        try (Connection c = connection();
                Channel channel = c.createChannel()) {
            return channel.messageCount(NOTIFICATIONS + ".dlq");
        }
    }

    static Connection connection() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        return factory.newConnection("caf-state-test-shared-bucket");
    }
}
