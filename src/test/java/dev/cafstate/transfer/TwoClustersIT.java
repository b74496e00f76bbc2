package dev.cafstate.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.ConnectionFactory;

import dev.cafstate.support.CafDocs;
import dev.cafstate.support.PackagedApp;
import dev.cafstate.support.PackagedApp.Response;
import dev.cafstate.support.SharedBucket;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Two clusters that share nothing but an S3 location: two packaged apps (prod profile, JWT on) with their own
 * databases, primary buckets, event exchanges and notification queues, one RabbitMQ and one S3Proxy. Cluster a runs an
 * execution (runtime changes, three checkpoints, a fork) and exports it; cluster b imports it by manifest, by a
 * bucket notification and by sync, and their queries agree; then the execution is handed off a -> b (with a kill -9 of
 * each cluster on the way) and back b -> a; and b is killed in the middle of a 1,000-checkpoint import, which goes on
 * after its restart without starting over.
 */
class TwoClustersIT {

    static final TestServices SERVICES = new TestServices();
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String TENANT = "it-" + RUN;

    static Cluster a;
    static Cluster b;

    /** One cluster: the packaged app as a process, restartable, with its environment. */
    static final class Cluster extends PackagedApp {

        Cluster(String name) throws IOException {
            super(name, "two-clusters-it-" + name + ".log");
            onLocalServices("caf_state_it_" + name, 6, "caf-it-" + name).ownBroker(name);
            env.put("CAF_CLUSTER_ID", name);
            env.put("CAF_TRANSFER_POLL_INTERVAL", "200ms");
            env.put("CAF_TRANSFER_LEASE", "3s");
            env.put("CAF_TRANSFER_HANDOFF_TIMEOUT", "60s");
            env.put("CAF_TRANSFER_HANDOFF_CLOCK_SKEW", "1s");
            env.put("CAF_LOCATIONS_SHARED_BUCKET", TestServices.SHARED_BUCKET);
            env.put("CAF_LOCATIONS_SHARED_PREFIX", "it-" + RUN);
            env.put("CAF_LOCATIONS_SHARED_ACCESS", "read-write");
            env.put("CAF_LOCATIONS_SHARED_NOTIFICATIONS", "true");
            env.put("CAF_LOCATIONS_SYNCED_BUCKET", TestServices.SHARED_BUCKET);
            env.put("CAF_LOCATIONS_SYNCED_PREFIX", "it-" + RUN + "-synced");
            env.put("CAF_LOCATIONS_SYNCED_ACCESS", "read-write");
            if (name.equals("b")) {
                env.put("CAF_LOCATIONS_SYNCED_SYNC_INTERVAL", "1s");
            }
        }

        Response call(String method, String path, String body) throws Exception {
            return call(TENANT, method, path, body);
        }

        JsonNode ok(String method, String path, String body) throws Exception {
            Response r = call(method, path, body);
            assertThat(r.status())
                    .as(name + " " + method + " " + path + ": " + r.text())
                    .isBetween(200, 299);
            return r.json();
        }

        JsonNode get(String path) throws Exception {
            return ok("GET", path, null);
        }

        JsonNode post(String path, String body) throws Exception {
            return ok("POST", path, body);
        }

        /** A job of this cluster once it finished. */
        JsonNode job(String kind, String id) {
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        Response r = call("GET", "/api/v1/" + kind + "/" + id, null);
                        if (r.status() != 200) {
                            return false; // restarting
                        }
                        last[0] = r.json();
                        String status = last[0].get("status").asText();
                        return status.equals("succeeded") || status.equals("failed");
                    });
            return last[0];
        }

        JsonNode handoff(String execution, String state) {
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        Response r = call("GET", "/api/v1/executions/" + execution + "/handoff", null);
                        if (r.status() != 200) {
                            return false;
                        }
                        last[0] = r.json();
                        return last[0].get("state").asText().equals(state);
                    });
            return last[0];
        }
    }

    @BeforeAll
    static void clusters() throws Exception {
        SERVICES.start();
        PackagedApp.recreateDatabase("caf_state_it_a");
        PackagedApp.recreateDatabase("caf_state_it_b");
        try (S3Client s3 = Storage.client()) {
            for (String bucket : List.of(TestServices.SHARED_BUCKET)) {
                try {
                    s3.createBucket(x -> x.bucket(bucket));
                } catch (S3Exception exists) {
                    // kept from an earlier run of the same directory
                }
            }
        }
        a = new Cluster("a");
        b = new Cluster("b");
        a.start();
        b.start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Cluster c : new Cluster[] {a, b}) {
            if (c != null) {
                c.stop();
            }
        }
        SERVICES.stop();
    }

    static String thought(String content) {
        return "{\"type\":\"reasoning\",\"content\":\"" + content + "\",\"confidence\":0.7}";
    }

    /** What both clusters must answer alike for an execution: its checkpoints with checksums and lineage. */
    static List<String> catalog(Cluster c, String execution) throws Exception {
        List<String> rows = new ArrayList<>();
        for (JsonNode s : c.get("/api/v1/checkpoints?execution_id=" + execution).get("items")) {
            String thoughts = c.get("/api/v1/checkpoints/" + s.get("id").asText() + "/thoughts")
                    .get("items")
                    .toString();
            rows.add(s.get("id").asText() + " " + s.get("sha256").asText() + " "
                    + s.path("parent_checkpoint_id").asText("-") + " "
                    + s.get("timestamp").asLong() + " " + thoughts);
        }
        return rows;
    }

    @Test
    void twoClustersShareCheckpointsAndHandARunningExecutionBackAndForth() throws Exception {
        // ---- cluster a runs an execution: runtime changes, three checkpoints, a fork
        String e = "run-" + RUN;
        a.post("/api/v1/executions", "{\"id\":\"" + e + "\",\"agent_id\":\"planner\"}");
        List<String> checkpoints = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            a.post("/api/v1/executions/" + e + "/thoughts", thought("step " + i));
            a.ok(
                    "PUT",
                    "/api/v1/executions/" + e + "/context/memory/k" + i,
                    "{\"value\":" + i + ",\"importance\":0.5}");
            checkpoints.add(a.post("/api/v1/executions/" + e + "/checkpoints", "{}")
                    .get("id")
                    .asText());
        }
        a.post("/api/v1/executions/" + e + "/tool-calls", "{\"id\":\"tc-open\",\"tool_id\":\"bash\",\"arguments\":{}}");
        String fork = "fork-" + RUN;
        a.post(
                "/api/v1/checkpoints/" + checkpoints.get(1) + "/restore",
                "{\"mode\":\"fork\",\"execution_id\":\"" + fork + "\"}");
        a.post("/api/v1/executions/" + fork + "/thoughts", thought("forked"));
        a.post("/api/v1/executions/" + fork + "/checkpoints", "{}");

        // ---- export; b imports by manifest and answers the same queries as a
        JsonNode export = a.job(
                "exports",
                a.post("/api/v1/exports", "{\"location\":\"shared\",\"execution_id\":\"" + e + "\"}")
                        .get("id")
                        .asText());
        assertThat(export.get("exported").asLong()).isEqualTo(3);
        String manifest = export.at("/result/manifest_key").asText();
        JsonNode imported = b.job(
                "imports",
                b.post("/api/v1/imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\"}")
                        .get("id")
                        .asText());
        assertThat(imported.get("imported").asLong()).isEqualTo(3);
        assertThat(catalog(b, e)).isEqualTo(catalog(a, e));
        assertThat(b.call("POST", "/api/v1/executions/" + e + "/thoughts", thought("not here"))
                        .status())
                .isEqualTo(409);

        // ---- the fork reaches b through a bucket notification, and an export to the synced location by sync
        JsonNode forkExport = a.job(
                "exports",
                a.post("/api/v1/exports", "{\"location\":\"shared\",\"execution_id\":\"" + fork + "\"}")
                        .get("id")
                        .asText());
        publish(
                "caf.bucket-notifications.it-b",
                SharedBucket.notification(forkExport.at("/result/manifest_key").asText()));
        await().atMost(Duration.ofSeconds(30)).until(() -> catalog(b, fork).size() == 1);
        assertThat(catalog(b, fork)).isEqualTo(catalog(a, fork));
        a.job(
                "exports",
                a.post(
                                "/api/v1/exports",
                                "{\"location\":\"synced\",\"checkpoint_ids\":[\"" + checkpoints.get(0) + "\"]}")
                        .get("id")
                        .asText());
        JsonNode location = null;
        for (int i = 0; i < 60 && location == null; i++) {
            for (JsonNode l : b.get("/api/v1/locations").get("items")) {
                if (l.get("name").asText().equals("synced")
                        && l.get("manifests_seen").asLong() > 0) {
                    location = l;
                }
            }
            Thread.sleep(500);
        }
        assertThat(location).as("b's sync of the synced location").isNotNull();

        // ---- live handoff a -> b, with a killed right after it started it and b killed as it takes over
        a.post("/api/v1/executions/" + e + "/handoff", "{\"location\":\"shared\",\"target_cluster\":\"b\"}");
        a.kill();
        a.start();
        JsonNode waiting = a.handoff(e, "awaiting_ack");
        assertThat(a.call("POST", "/api/v1/executions/" + e + "/thoughts", thought("late on a"))
                        .status())
                .isEqualTo(409);
        publish(
                "caf.bucket-notifications.it-b",
                SharedBucket.notification(waiting.get("manifest_key").asText()));
        Thread.sleep(300);
        b.kill();
        b.start();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> b.call("GET", "/api/v1/executions/" + e, null)
                                .json()
                                .path("epoch")
                                .asLong()
                        == 2);
        a.handoff(e, "completed");
        JsonNode onB = b.get("/api/v1/executions/" + e);
        assertThat(onB.has("owner_cluster")).isFalse();
        assertThat(a.get("/api/v1/executions/" + e).get("owner_cluster").asText())
                .isEqualTo("b");
        // exactly one writer: b
        assertThat(b.call("POST", "/api/v1/executions/" + e + "/thoughts", thought("on b"))
                        .status())
                .isEqualTo(201);
        assertThat(a.call("POST", "/api/v1/executions/" + e + "/thoughts", thought("on a"))
                        .status())
                .isEqualTo(409);
        String next = b.post("/api/v1/executions/" + e + "/checkpoints", "{}")
                .get("id")
                .asText();
        assertThat(b.get("/api/v1/checkpoints/" + next)
                        .get("parent_checkpoint_id")
                        .asText())
                .isEqualTo(waiting.get("final_checkpoint_id").asText());
        JsonNode state = b.get("/api/v1/executions/" + e + "/state");
        assertThat(state.at("/tool_state/pending").toString()).contains("tc-open");

        // ---- and back b -> a, at epoch 3
        b.post("/api/v1/executions/" + e + "/handoff", "{\"location\":\"shared\",\"target_cluster\":\"a\"}");
        JsonNode back = b.handoff(e, "awaiting_ack");
        JsonNode resume = a.job(
                "imports",
                a.post(
                                "/api/v1/imports",
                                "{\"location\":\"shared\",\"manifest\":\""
                                        + back.get("manifest_key").asText() + "\",\"resume\":true}")
                        .get("id")
                        .asText());
        assertThat(resume.at("/result/handoffs/0/outcome/resumed").asBoolean()).isTrue();
        b.handoff(e, "completed");
        assertThat(a.get("/api/v1/executions/" + e).get("epoch").asLong()).isEqualTo(3);
        assertThat(a.call("POST", "/api/v1/executions/" + e + "/thoughts", thought("home"))
                        .status())
                .isEqualTo(201);
        assertThat(b.call("POST", "/api/v1/executions/" + e + "/thoughts", thought("away"))
                        .status())
                .isEqualTo(409);
    }

    @Test
    void anImportKilledHalfwayGoesOnAfterTheRestartWithoutStartingOver() throws Exception {
        String e = "bulk-" + RUN;
        List<SharedBucket.Written> objects = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ObjectNode doc = CafDocs.checkpoint("bulk-" + RUN + "-" + i, e)
                    .step("s", "planning", "n" + i, 0.5)
                    .build();
            objects.add(SharedBucket.checkpoint("it-" + RUN, "elsewhere", TENANT, doc));
        }
        String manifest = SharedBucket.manifest("it-" + RUN, "elsewhere", TENANT, "bulk", objects, null);
        String job = b.post("/api/v1/imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\"}")
                .get("id")
                .asText();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> b.get("/api/v1/imports/" + job).get("done").asLong() >= 200);
        b.kill();
        long doneBefore = countImported("caf_state_it_b", job);
        b.start();
        JsonNode finished = b.job("imports", job);
        assertThat(finished.get("status").asText()).isEqualTo("succeeded");
        assertThat(finished.get("imported").asLong() + finished.get("skipped").asLong())
                .isEqualTo(1000);
        assertThat(finished.get("failed").asLong()).isZero();
        assertThat(doneBefore).as("items done before the kill stay done").isPositive();
        assertThat(b.get("/api/v1/checkpoints?execution_id=" + e + "&limit=500").get("items"))
                .hasSize(500);
        try (Connection c = PackagedApp.database("caf_state_it_b")) {
            var rs = c.createStatement()
                    .executeQuery("SELECT count(*) FROM checkpoints WHERE tenant = '" + TENANT
                            + "' AND execution_id = '" + e + "'");
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1000);
        }
    }

    static long countImported(String db, String job) throws Exception {
        try (Connection c = PackagedApp.database(db)) {
            var rs = c.createStatement()
                    .executeQuery("SELECT count(*) FROM transfer_items WHERE job_id = '" + job
                            + "' AND status IN ('imported', 'skipped')");
            rs.next();
            return rs.getLong(1);
        }
    }

    static void publish(String exchange, String body) throws Exception {
        var factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        try (var connection = factory.newConnection();
                var channel = connection.createChannel()) {
            channel.exchangeDeclare(exchange, "topic", true);
            channel.basicPublish(exchange, "bucket-events", null, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
