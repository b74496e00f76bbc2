package dev.cafstate.transfer;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.operator;
import static dev.cafstate.support.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.support.CafDocs;
import dev.cafstate.support.SharedBucket;
import dev.cafstate.support.SharedBucket.Written;
import dev.cafstate.support.Sse;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Export and import through a location (the shared bucket of the test profile), against the real services. Objects
 * "another cluster" wrote are made with a plain S3 client in the transfer layout, the way that cluster's export
 * would have written them.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class TransferTest {

    static final String OTHER = "other";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    static JsonPath awaitJob(String tenant, String kind, String id) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    last[0] = operator(tenant)
                            .get("/api/v1/" + kind + "/{id}", id)
                            .then()
                            .statusCode(200)
                            .extract()
                            .jsonPath();
                    String status = last[0].getString("status");
                    return status.equals("succeeded") || status.equals("failed");
                });
        return last[0];
    }

    static String start(String tenant, String kind, String body) {
        return operator(tenant)
                .body(body)
                .post("/api/v1/" + kind)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    static String push(String tenant, ObjectNode doc) {
        as(tenant).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(201);
        return doc.get("id").asText();
    }

    static byte[] primaryObject(String key) {
        try (S3Client s3 = Storage.client()) {
            return s3.getObjectAsBytes(b -> b.bucket(TestServices.BUCKET).key(key))
                    .asByteArray();
        }
    }

    @Test
    void anExportCopiesEveryObjectByteForByteThenWritesItsManifestAndRunningItAgainIsHarmless() throws Exception {
        String tenant = newTenant();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(push(
                    tenant,
                    CafDocs.checkpoint("c" + i, "e1")
                            .step("s" + i, "planning", "x", 0.5)
                            .build()));
        }
        JsonPath job = awaitJob(
                tenant, "exports", start(tenant, "exports", "{\"location\":\"shared\",\"execution_id\":\"e1\"}"));
        assertThat(job.getString("status")).isEqualTo("succeeded");
        assertThat(job.getLong("exported")).isEqualTo(3);
        String manifestKey = job.getString("result.manifest_key");
        assertThat(manifestKey).startsWith("clusters/test/tenants/" + tenant + "/exports/");

        byte[] manifest = SharedBucket.get(manifestKey);
        assertThat(SharedBucket.metadata(manifestKey)).containsEntry("sha256", CanonicalJson.sha256(manifest));
        JsonNode m = SharedBucket.MAPPER.readTree(manifest);
        assertThat(m.get("source_cluster").asText()).isEqualTo("test");
        assertThat(m.get("tenant").asText()).isEqualTo(tenant);
        assertThat(m.get("checkpoints")).hasSize(3);
        for (JsonNode entry : m.get("checkpoints")) {
            String primaryKey = as(tenant)
                    .get("/api/v1/checkpoints/{id}", entry.get("id").asText())
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("object_key");
            byte[] copy = SharedBucket.get(entry.get("key").asText());
            assertThat(copy).isEqualTo(primaryObject(primaryKey));
            assertThat(CanonicalJson.sha256(copy)).isEqualTo(entry.get("sha256").asText());
            assertThat(entry.get("size").asLong()).isEqualTo(copy.length);
            assertThat(SharedBucket.metadata(entry.get("key").asText()))
                    .containsEntry("sha256", entry.get("sha256").asText());
        }

        JsonPath again = awaitJob(
                tenant,
                "exports",
                start(tenant, "exports", "{\"location\":\"shared\",\"checkpoint_ids\":[\"c0\",\"c1\",\"c2\"]}"));
        assertThat(again.getLong("exported")).isZero();
        assertThat(again.getLong("skipped")).isEqualTo(3);
    }

    @Test
    void exportsRefuseReadOnlyLocationsUnknownLocationsAndMissingCheckpoints() {
        String tenant = newTenant();
        operator(tenant)
                .body("{\"location\":\"archive\",\"execution_id\":\"e\"}")
                .post("/api/v1/exports")
                .then()
                .statusCode(409)
                .body("detail", equalTo("location 'archive' is read-only"));
        operator(tenant)
                .body("{\"location\":\"nowhere\",\"execution_id\":\"e\"}")
                .post("/api/v1/exports")
                .then()
                .statusCode(404);
        operator(tenant)
                .body("{\"location\":\"shared\",\"checkpoint_ids\":[\"missing\"]}")
                .post("/api/v1/exports")
                .then()
                .statusCode(422)
                .body("errors[0].field", equalTo("checkpoint_ids"));
        operator(tenant)
                .body("{\"location\":\"shared\",\"execution_id\":\"e\",\"checkpoint_ids\":[\"x\"]}")
                .post("/api/v1/exports")
                .then()
                .statusCode(422);
        as(tenant)
                .body("{\"location\":\"shared\",\"execution_id\":\"e\"}")
                .post("/api/v1/exports")
                .then()
                .statusCode(403);
    }

    @Test
    void anotherClustersExportIsImportedByManifestAsHistoryAndTheSameImportAgainSkipsEverything() throws Exception {
        String tenant = newTenant();
        List<Written> objects = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            objects.add(SharedBucket.checkpoint(
                    "",
                    OTHER,
                    tenant,
                    CafDocs.checkpoint("imp-" + i, "remote-e")
                            .step("s" + i, "planning", "from A", 0.5)
                            .build()));
        }
        String manifest = SharedBucket.manifest("", OTHER, tenant, "x1", objects, null);

        JsonPath job = awaitJob(
                tenant,
                "imports",
                start(tenant, "imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\"}"));
        assertThat(job.getString("status")).isEqualTo("succeeded");
        assertThat(job.getLong("imported")).isEqualTo(3);
        assertThat(job.getLong("manifests")).isEqualTo(1);

        // queryable as on the source, stored byte for byte, and the execution is history: another cluster writes it
        assertThat(as(tenant)
                        .get("/api/v1/checkpoints?execution_id=remote-e")
                        .jsonPath()
                        .getList("items"))
                .hasSize(3);
        byte[] original = SharedBucket.get(objects.get(0).key());
        byte[] stored = as(tenant)
                .get("/api/v1/checkpoints/imp-0/document")
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        assertThat(stored).isEqualTo(original);
        as(tenant).get("/api/v1/executions/remote-e").then().statusCode(200).body("owner_cluster", equalTo(OTHER));
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                .post("/api/v1/executions/remote-e/thoughts")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:caf-state:problem:handed-off"))
                .body("handoff.owner_cluster", equalTo(OTHER));

        JsonPath again = awaitJob(
                tenant,
                "imports",
                start(tenant, "imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\"}"));
        assertThat(again.getLong("imported")).isZero();
        assertThat(again.getLong("skipped")).isEqualTo(3);
    }

    @Test
    void badObjectsAreReportedWithTheirReasonAndTheRestIsImported() throws Exception {
        String tenant = newTenant();
        Written good = SharedBucket.checkpoint(
                "",
                OTHER,
                tenant,
                CafDocs.checkpoint("good", "e").step("s", "planning", "x", 0.5).build());
        Written corrupt = SharedBucket.checkpoint(
                "",
                OTHER,
                tenant,
                CafDocs.checkpoint("corrupt", "e")
                        .step("s", "planning", "x", 0.5)
                        .build());
        byte[] bytes = SharedBucket.get(corrupt.key());
        bytes[bytes.length / 2] ^= 0x01;
        SharedBucket.put(corrupt.key(), bytes, Map.of("sha256", corrupt.sha256()));
        ObjectNode future = CafDocs.checkpoint("future", "e")
                .step("s", "planning", "x", 0.5)
                .build();
        future.put("version", "0.0.2");
        Written other = SharedBucket.checkpoint("", OTHER, tenant, future);
        Written lost = new Written(
                SharedBucket.base("", OTHER, tenant) + "executions/e/checkpoints/lost/" + "0".repeat(64) + ".json",
                "0".repeat(64),
                10,
                "lost",
                "e");
        // the same checkpoint id as "good" with other content: a conflict, never an overwrite
        Written clash = SharedBucket.checkpoint(
                "",
                "third",
                tenant,
                CafDocs.checkpoint("good", "e")
                        .step("s", "planning", "changed", 0.5)
                        .build());
        String m1 = SharedBucket.manifest("", OTHER, tenant, "bad", List.of(good, corrupt, other, lost), null);
        String m2 = SharedBucket.manifest("", "third", tenant, "clash", List.of(clash), null);

        JsonPath job = awaitJob(
                tenant,
                "imports",
                start(tenant, "imports", "{\"location\":\"shared\",\"keys\":[\"" + m1 + "\",\"" + m2 + "\"]}"));
        assertThat(job.getString("status")).isEqualTo("succeeded");
        assertThat(job.getLong("imported")).isEqualTo(1);
        assertThat(job.getLong("failed")).isEqualTo(3);
        assertThat(job.getLong("conflicts")).isEqualTo(1);
        Map<String, String> reasons = new HashMap<>();
        for (Map<String, String> e : job.<Map<String, String>>getList("errors")) {
            reasons.put(e.get("key"), e.get("reason"));
        }
        assertThat(reasons.get(corrupt.key())).contains("does not match the SHA-256");
        assertThat(reasons.get(other.key())).contains("not a CAF 0.0.1 checkpoint");
        assertThat(reasons.get(lost.key())).contains("missing");
        // "good" and "clash" carry one checkpoint id with other content and are imported concurrently: whichever
        // lands first is kept, the other is the conflict, and nothing is overwritten
        boolean goodFirst = reasons.get(good.key()) == null;
        String loser = goodFirst ? clash.key() : good.key();
        assertThat(reasons.get(loser)).contains("other content");
        assertThat(reasons).doesNotContainKey(goodFirst ? good.key() : clash.key());
        assertThat(as(tenant)
                        .get("/api/v1/checkpoints/good/thoughts")
                        .jsonPath()
                        .getString("items[0].content"))
                .isEqualTo(goodFirst ? "x" : "changed");
    }

    @Test
    void aTenantImportsOnlyItsOwnObjectsUnlessTheLocationMapsThemToIt() throws Exception {
        String owner = newTenant();
        String intruder = newTenant();
        Written w = SharedBucket.checkpoint(
                "",
                OTHER,
                owner,
                CafDocs.checkpoint("secret", "e")
                        .step("s", "planning", "private", 0.5)
                        .build());
        String manifest = SharedBucket.manifest("", OTHER, owner, "private", List.of(w), null);

        JsonPath byManifest = awaitJob(
                intruder,
                "imports",
                start(intruder, "imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\"}"));
        JsonPath byKey = awaitJob(
                intruder,
                "imports",
                start(intruder, "imports", "{\"location\":\"shared\",\"keys\":[\"" + w.key() + "\"]}"));
        JsonPath byPrefix = awaitJob(
                intruder,
                "imports",
                start(
                        intruder,
                        "imports",
                        "{\"location\":\"shared\",\"prefix\":\"" + SharedBucket.base("", OTHER, owner) + "\"}"));
        assertThat(byManifest.getLong("imported") + byKey.getLong("imported") + byPrefix.getLong("imported"))
                .isZero();
        assertThat(byKey.getString("errors[0].reason")).contains("tenant '" + owner + "'");
        as(intruder).get("/api/v1/checkpoints/secret").then().statusCode(404);
        // the intruder does not see the owner's jobs either
        String ownJob = start(owner, "imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\"}");
        operator(intruder).get("/api/v1/imports/{id}", ownJob).then().statusCode(404);
        assertThat(awaitJob(owner, "imports", ownJob).getLong("imported")).isEqualTo(1);

        // the location maps tenant mapped-src to mapped-dst: mapped-dst may import its objects, mapped-src may not
        Written mapped = SharedBucket.checkpoint(
                "",
                OTHER,
                "mapped-src",
                CafDocs.checkpoint("mapped-" + UUID.randomUUID(), "e")
                        .step("s", "planning", "x", 0.5)
                        .build());
        String mm = SharedBucket.manifest("", OTHER, "mapped-src", "m-" + UUID.randomUUID(), List.of(mapped), null);
        assertThat(awaitJob(
                                "mapped-src",
                                "imports",
                                start("mapped-src", "imports", "{\"location\":\"shared\",\"manifest\":\"" + mm + "\"}"))
                        .getLong("imported"))
                .isZero();
        assertThat(awaitJob(
                                "mapped-dst",
                                "imports",
                                start("mapped-dst", "imports", "{\"location\":\"shared\",\"manifest\":\"" + mm + "\"}"))
                        .getLong("imported"))
                .isEqualTo(1);
        as("mapped-dst").get("/api/v1/checkpoints/{id}", mapped.id()).then().statusCode(200);
    }

    @Test
    void aPrefixImportPagesThroughTheListingImportsWhatManifestsNameAndReportsTheRestIncomplete() throws Exception {
        String tenant = newTenant();
        // 2,500 objects of a half-written export (no manifest) and one complete export of 3: three listing pages
        String half = SharedBucket.base("", "half", tenant) + "executions/e/checkpoints/";
        try (S3Client s3 = Storage.client()) {
            for (int i = 0; i < 2500; i++) {
                String key = half + "h" + i + "/" + String.format("%064x", i) + ".json";
                s3.putObject(
                        b -> b.bucket(TestServices.SHARED_BUCKET).key(key),
                        RequestBody.fromString("{}", StandardCharsets.UTF_8));
            }
        }
        List<Written> complete = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            complete.add(SharedBucket.checkpoint(
                    "",
                    "whole",
                    tenant,
                    CafDocs.checkpoint("whole-" + i, "w")
                            .step("s", "planning", "x", 0.5)
                            .build()));
        }
        SharedBucket.manifest("", "whole", tenant, "whole", complete, null);

        String dry = start(tenant, "imports", "{\"location\":\"shared\",\"prefix\":\"clusters/\",\"dry_run\":true}");
        JsonPath d = awaitJob(tenant, "imports", dry);
        assertThat(d.getLong("imported")).isEqualTo(3);
        assertThat(d.getLong("incomplete")).isEqualTo(2500);
        as(tenant).get("/api/v1/checkpoints/whole-0").then().statusCode(404);

        JsonPath job = awaitJob(
                tenant, "imports", start(tenant, "imports", "{\"location\":\"shared\",\"prefix\":\"clusters/\"}"));
        assertThat(job.getLong("imported")).isEqualTo(3);
        assertThat(job.getLong("incomplete")).isEqualTo(2500);
        assertThat(job.getString("errors[0].reason")).contains("no manifest names it");
        as(tenant).get("/api/v1/checkpoints/whole-0").then().statusCode(200);
    }

    @Test
    void aManifestThatIsNotThereIsAnIncompleteExport() {
        String tenant = newTenant();
        String key = SharedBucket.base("", OTHER, tenant) + "exports/never.manifest.json";
        JsonPath job = awaitJob(
                tenant, "imports", start(tenant, "imports", "{\"location\":\"shared\",\"manifest\":\"" + key + "\"}"));
        assertThat(job.getLong("failed")).isEqualTo(1);
        assertThat(job.getString("errors[0].reason")).contains("the export is incomplete");
    }

    @Test
    void bucketNotificationsImportWhatManifestsAnnounceDuplicatesChangeNothingAndPoisonGoesToTheDeadLetterQueue()
            throws Exception {
        String tenant = newTenant();
        Written w = SharedBucket.checkpoint(
                "",
                OTHER,
                tenant,
                CafDocs.checkpoint("notified", "e")
                        .step("s", "planning", "x", 0.5)
                        .build());
        // an export still being written: its checkpoint object is there and announced, its manifest is not
        Written half = SharedBucket.checkpoint(
                "",
                OTHER,
                tenant,
                CafDocs.checkpoint("half-written", "e2")
                        .step("s", "planning", "x", 0.5)
                        .build());
        SharedBucket.publish(SharedBucket.notification(half.key()));
        String manifest = SharedBucket.manifest("", OTHER, tenant, "n1", List.of(w), null);
        SharedBucket.publish(SharedBucket.notification(manifest, w.key()));
        SharedBucket.publish(SharedBucket.notification(manifest));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> as(tenant).get("/api/v1/checkpoints/notified").statusCode() == 200);
        // the queue is taken in order: the half-written export's notification was seen first, and imported nothing
        as(tenant).get("/api/v1/checkpoints/half-written").then().statusCode(404);
        assertThat(as(tenant)
                        .get("/api/v1/checkpoints?execution_id=e")
                        .jsonPath()
                        .getList("items"))
                .hasSize(1);

        long before = SharedBucket.deadLetters();
        SharedBucket.publish("this is not an S3 event");
        await().atMost(Duration.ofSeconds(20)).until(() -> SharedBucket.deadLetters() == before + 1);
    }

    @Test
    void aSyncedLocationImportsNewExportsOfOtherClustersByItself() throws Exception {
        String tenant = newTenant();
        Written w = SharedBucket.checkpoint(
                "synced",
                OTHER,
                tenant,
                CafDocs.checkpoint("synced-1", "e")
                        .step("s", "planning", "x", 0.5)
                        .build());
        SharedBucket.manifest("synced", OTHER, tenant, "s1", List.of(w), null);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> as(tenant).get("/api/v1/checkpoints/synced-1").statusCode() == 200);
        JsonPath locations = operator(tenant)
                .get("/api/v1/locations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        Map<String, Object> synced = locations.getMap("items.find { it.name == 'synced' }");
        assertThat(synced.get("last_sync_at")).isNotNull();
        assertThat(((Number) synced.get("manifests_seen")).longValue()).isPositive();
        assertThat(synced.get("reachable")).isEqualTo(true);
        assertThat(locations.prettify()).doesNotContain(TestServices.S3_CREDENTIAL);
    }

    @Test
    void aLocationWithItsOwnEndpointAndCredentialsWorksLikeAnyOther() {
        String tenant = newTenant();
        push(
                tenant,
                CafDocs.checkpoint("direct-1", "e")
                        .step("s", "planning", "x", 0.5)
                        .build());
        JsonPath job = awaitJob(
                tenant,
                "exports",
                start(tenant, "exports", "{\"location\":\"direct\",\"checkpoint_ids\":[\"direct-1\"]}"));
        assertThat(job.getLong("exported")).isEqualTo(1);
        assertThat(job.getString("result.manifest_key")).startsWith("direct/clusters/test/tenants/" + tenant);
    }

    @Test
    void aTenantConfiguredForAutomaticExportHasEveryNewCheckpointReplicated() {
        String tenant = "auto-export";
        String id = "auto-" + UUID.randomUUID();
        push(
                tenant,
                CafDocs.checkpoint(id, "e-auto").step("s", "planning", "x", 0.5).build());
        String prefix = "replica/clusters/test/tenants/auto-export/";
        await().atMost(Duration.ofSeconds(30))
                .until(() -> SharedBucket.keys(prefix).stream().anyMatch(k -> k.contains("/checkpoints/" + id + "/")));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> SharedBucket.keys(prefix + "exports/").size() > 0);
    }

    @Test
    void importsNeverMoveTheCurrentCheckpointOfAnExecutionWrittenHereNorBackToAnOlderOne() throws Exception {
        String tenant = newTenant();
        String local = as(tenant)
                .body("{\"id\":\"mine\",\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String own = as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", local)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        Written foreign = SharedBucket.checkpoint(
                "",
                OTHER,
                tenant,
                CafDocs.checkpoint("foreign", local)
                        .step("s", "planning", "x", 0.5)
                        .build());
        ObjectNode newer = CafDocs.checkpoint("newer", "hist")
                .step("s", "planning", "x", 0.5)
                .build();
        newer.put("timestamp", 1_800_000_000_000L);
        ObjectNode older = CafDocs.checkpoint("older", "hist")
                .step("s", "planning", "x", 0.5)
                .build();
        older.put("timestamp", 1_700_000_000_000L);
        Written n = SharedBucket.checkpoint("", OTHER, tenant, newer);
        Written o = SharedBucket.checkpoint("", OTHER, tenant, older);
        for (Written w : List.of(foreign, n, o)) {
            awaitJob(
                    tenant,
                    "imports",
                    start(tenant, "imports", "{\"location\":\"shared\",\"keys\":[\"" + w.key() + "\"]}"));
        }
        as(tenant).get("/api/v1/checkpoints/foreign").then().statusCode(200);
        as(tenant).get("/api/v1/executions/{id}", local).then().body("current_checkpoint_id", equalTo(own));
        as(tenant).get("/api/v1/executions/hist").then().body("current_checkpoint_id", equalTo("newer"));
    }

    @Test
    void anImportsProgressStreamsAsServerSentEventsUntilItFinished() throws Exception {
        String tenant = newTenant();
        List<Written> objects = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            objects.add(SharedBucket.checkpoint(
                    "",
                    OTHER,
                    tenant,
                    CafDocs.checkpoint("p-" + i, "progress")
                            .step("s", "planning", "x", 0.5)
                            .build()));
        }
        String manifest = SharedBucket.manifest("", OTHER, tenant, "progress", objects, null);
        String job = start(tenant, "imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\"}");
        List<Sse.Event> events = Sse.until(
                        port, "/api/v1/imports/" + job + "/events", token(tenant, "operator"), e -> false)
                .get(60, TimeUnit.SECONDS);
        // the stream ends by itself with the finished job, its counts never going back on the way
        assertThat(events).isNotEmpty();
        JsonNode last =
                SharedBucket.MAPPER.readTree(events.get(events.size() - 1).data());
        assertThat(last.get("status").asText()).isEqualTo("succeeded");
        assertThat(last.get("imported").asLong()).isEqualTo(60);
        long seen = 0;
        for (Sse.Event e : events) {
            long imported =
                    SharedBucket.MAPPER.readTree(e.data()).get("imported").asLong();
            assertThat(imported).isGreaterThanOrEqualTo(seen);
            seen = imported;
        }
        // a job of another tenant is not there, stream or not
        operator(newTenant())
                .accept("text/event-stream")
                .get("/api/v1/imports/{id}/events", job)
                .then()
                .statusCode(404);
    }
}
