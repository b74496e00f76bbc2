package dev.cafstate.transfer;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.operator;
import static dev.cafstate.transfer.TransferTest.awaitJob;
import static dev.cafstate.transfer.TransferTest.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.support.Api;
import dev.cafstate.support.CafDocs;
import dev.cafstate.support.SharedBucket;
import dev.cafstate.support.SharedBucket.Written;
import dev.cafstate.support.Sse;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Live handoff, both sides, on one instance (cluster "test"); the other cluster's side (its acknowledgement, its
 * export handing an execution to "test") is written into the shared bucket with a plain S3 client, as that cluster
 * would. The handoff timeout is 4 s and the allowed clock skew 1 s in the test profile.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class HandoffTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    static String execution(String tenant) {
        String id = "h-" + UUID.randomUUID().toString().substring(0, 8);
        as(tenant)
                .body("{\"id\":\"" + id + "\",\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"before\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"id\":\"tc-open\",\"tool_id\":\"bash\",\"arguments\":{}}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(201);
        return id;
    }

    static JsonPath awaitState(String tenant, String id, String state) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    last[0] = operator(tenant)
                            .get("/api/v1/executions/{id}/handoff", id)
                            .then()
                            .statusCode(200)
                            .extract()
                            .jsonPath();
                    return last[0].getString("state").equals(state);
                });
        return last[0];
    }

    static void write(String tenant, String id) {
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"after\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id);
    }

    @Test
    void aHandoffFencesTheExecutionExportsItsFinalCheckpointAndCompletesOnTheTargetsAcknowledgement() throws Exception {
        String tenant = newTenant();
        String id = execution(tenant);
        operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(202)
                .body("state", equalTo("requested"))
                .body("epoch", equalTo(2));

        // from now on every write is a retryable 409 naming where the execution goes
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"late\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(409)
                .header("Retry-After", notNullValue())
                .body("type", equalTo("urn:caf-state:problem:handed-off"))
                .body("handoff.location", equalTo("shared"))
                .body("handoff.target_cluster", equalTo("other"));
        as(tenant).get("/api/v1/executions/{id}", id).then().body("status", equalTo("paused"));
        as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(409);

        JsonPath h = awaitState(tenant, id, "awaiting_ack");
        String finalCheckpoint = h.getString("final_checkpoint_id");
        JsonNode manifest = SharedBucket.MAPPER.readTree(SharedBucket.get(h.getString("manifest_key")));
        assertThat(manifest.at("/handoff/target_cluster").asText()).isEqualTo("other");
        assertThat(manifest.at("/handoff/epoch").asLong()).isEqualTo(2);
        assertThat(manifest.at("/handoff/final_checkpoint_id").asText()).isEqualTo(finalCheckpoint);
        assertThat(manifest.at("/handoff/in_doubt_tool_calls").toString()).contains("tc-open");
        assertThat(manifest.get("checkpoints").toString()).contains(finalCheckpoint);

        // the target acknowledges under its own prefix; the source completes and keeps the execution as history
        ObjectNode ack = SharedBucket.MAPPER
                .createObjectNode()
                .put("format", "caf-state-handoff-ack/1")
                .put("handoff_id", h.getString("id"))
                .put("execution_id", id)
                .put("epoch", 2)
                .put("cluster", "other")
                .put("source_cluster", "test")
                .put("manifest_key", h.getString("manifest_key"))
                .put("acknowledged_at", System.currentTimeMillis());
        SharedBucket.put(
                SharedBucket.base("", "other", tenant) + "handoffs/" + id + "/2.ack.json",
                ack.toString().getBytes(StandardCharsets.UTF_8),
                Map.of());
        awaitState(tenant, id, "completed");
        // the decision is published next to the abort marker's place, for a target that would find both
        await().atMost(Duration.ofSeconds(10)).until(() -> SharedBucket.get(outcomeKey("test", tenant, id, 2)) != null);
        JsonNode outcome = SharedBucket.MAPPER.readTree(SharedBucket.get(outcomeKey("test", tenant, id, 2)));
        assertThat(outcome.get("outcome").asText()).isEqualTo("completed");
        assertThat(outcome.get("handoff_id").asText()).isEqualTo(h.getString("id"));
        as(tenant)
                .get("/api/v1/executions/{id}", id)
                .then()
                .body("owner_cluster", equalTo("other"))
                .body("epoch", equalTo(2));
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"late\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(409)
                .body("handoff.owner_cluster", equalTo("other"));
        operator(tenant)
                .post("/api/v1/executions/{id}/handoff/abort", id)
                .then()
                .statusCode(409);
    }

    @Test
    void aHandoffTheTargetNeverAcknowledgesIsAbortedOnlyAfterItExpiredAndTheSourceWritesAgain() {
        String tenant = newTenant();
        String id = execution(tenant);
        operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"silent\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(202);
        JsonPath h = awaitState(tenant, id, "awaiting_ack");
        // too early: the target may still take it over
        operator(tenant)
                .post("/api/v1/executions/{id}/handoff/abort", id)
                .then()
                .statusCode(409)
                .header("Retry-After", notNullValue());
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> operator(tenant)
                                .post("/api/v1/executions/{id}/handoff/abort", id)
                                .statusCode()
                        == 200);
        awaitState(tenant, id, "aborted");
        as(tenant).get("/api/v1/executions/{id}", id).then().body("status", equalTo("running"));
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"again\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        assertThat(SharedBucket.get(SharedBucket.base("", "test", tenant) + "handoffs/" + id + "/" + h.getLong("epoch")
                        + ".abort.json"))
                .isNotNull();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> SharedBucket.get(outcomeKey("test", tenant, id, h.getLong("epoch"))) != null);
        assertThat(new String(
                        SharedBucket.get(outcomeKey("test", tenant, id, h.getLong("epoch"))), StandardCharsets.UTF_8))
                .contains("\"outcome\":\"aborted\"");
    }

    @Test
    void aHandoffWhoseExportJobFailedBeforeItsManifestCanBeAbortedAtOnce() throws Exception {
        String tenant = newTenant();
        String id = execution(tenant);
        String handoff = operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        awaitState(tenant, id, "awaiting_ack");
        // as if its export job had failed (an error, its location gone) before the manifest was written
        TestServices.sql(
                "UPDATE handoffs SET state = 'exporting', expires_at = NULL, manifest_key = NULL WHERE id = '" + handoff
                        + "'",
                "UPDATE transfer_jobs SET status = 'failed', error = 'simulated' WHERE id = '" + handoff + "'");
        JsonPath failed = awaitState(tenant, id, "failed");
        assertThat(failed.getString("error")).contains("simulated");
        operator(tenant)
                .post("/api/v1/executions/{id}/handoff/abort", id)
                .then()
                .statusCode(200)
                .body("state", equalTo("aborted"));
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"again\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
    }

    static String outcomeKey(String cluster, String tenant, String execution, long epoch) {
        return SharedBucket.base("", cluster, tenant) + "handoffs/" + execution + "/" + epoch + ".outcome.json";
    }

    @Test
    void aHandoffThatCannotBeMadeIsRefusedAndChangesNothing() {
        String tenant = newTenant();
        String id = execution(tenant);
        operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"test\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(422);
        operator(tenant)
                .body("{\"location\":\"archive\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(409);
        operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/nope/handoff")
                .then()
                .statusCode(404);
        as(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(403);
        operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(202);
        operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/{id}/handoff", id)
                .then()
                .statusCode(409);
    }

    /** Another cluster's handoff to this one: its final checkpoint, the manifest naming "test" as the target. */
    static String incoming(String tenant, String execution, String target, long epoch, long expiresAt) {
        ObjectNode doc = CafDocs.checkpoint("fin-" + UUID.randomUUID(), execution)
                .step("s1", "planning", "on A", 0.5)
                .build();
        ((ArrayNode) doc.at("/snapshot/tool_state/pending")).add("tc-doubt");
        Written w = SharedBucket.checkpoint("", "other", tenant, doc);
        ObjectNode handoff = SharedBucket.MAPPER
                .createObjectNode()
                .put("handoff_id", UUID.randomUUID().toString())
                .put("execution_id", execution)
                .put("epoch", epoch)
                .put("target_cluster", target)
                .put("final_checkpoint_id", w.id())
                .put("expires_at", expiresAt);
        handoff.putArray("in_doubt_tool_calls").add("tc-doubt");
        return SharedBucket.manifest("", "other", tenant, "ho-" + UUID.randomUUID(), List.of(w), handoff);
    }

    @Test
    void theTargetTakesTheExecutionOverAcknowledgesAndReportsInDoubtToolCallsOnceOnly() throws Exception {
        String tenant = newTenant();
        String execution = "moved-" + UUID.randomUUID().toString().substring(0, 8);
        String manifest = incoming(tenant, execution, "test", 2, System.currentTimeMillis() + 60_000);
        JsonPath job = awaitJob(
                tenant,
                "imports",
                start(
                        tenant,
                        "imports",
                        "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\",\"resume\":true}"));
        assertThat(job.getBoolean("result.handoffs[0].outcome.resumed")).isTrue();
        assertThat(job.getList("result.handoffs[0].outcome.in_doubt_tool_calls"))
                .containsExactly("tc-doubt");
        // and as an event of the execution, for the agent that takes it over
        List<Sse.Event> events = Sse.until(
                        port,
                        "/api/v1/executions/" + execution + "/events",
                        Api.token(tenant),
                        e -> e.data().contains("\"resumed\""))
                .get(20, TimeUnit.SECONDS);
        assertThat(events)
                .filteredOn(e -> e.data().contains("\"resumed\""))
                .singleElement()
                .satisfies(e -> assertThat(e.data()).contains("tc-doubt"));
        String finalCheckpoint = SharedBucket.MAPPER
                .readTree(SharedBucket.get(manifest))
                .at("/handoff/final_checkpoint_id")
                .asText();

        as(tenant)
                .get("/api/v1/executions/{id}", execution)
                .then()
                .statusCode(200)
                .body("epoch", equalTo(2))
                .body("status", equalTo("running"));
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"on B\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", execution)
                .then()
                .statusCode(201);
        assertThat(SharedBucket.get(SharedBucket.base("", "test", tenant) + "handoffs/" + execution + "/2.ack.json"))
                .isNotNull();
        // the next checkpoint continues the source's lineage
        String next = as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", execution)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(tenant).get("/api/v1/checkpoints/{id}", next).then().body("parent_checkpoint_id", equalTo(finalCheckpoint));

        // the same handoff again (a duplicate notification, a second import) does not take it over twice
        JsonPath again = awaitJob(
                tenant,
                "imports",
                start(
                        tenant,
                        "imports",
                        "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\",\"resume\":true}"));
        assertThat(again.getBoolean("result.handoffs[0].outcome.resumed")).isFalse();
        as(tenant)
                .get("/api/v1/executions/{id}/state", execution)
                .then()
                .body("thought_chain.steps.size()", equalTo(2));
    }

    @Test
    void aClusterThatIsNotTheTargetOrComesTooLateKeepsTheExecutionAsHistory() {
        String tenant = newTenant();
        String notMine = incoming(tenant, "for-third", "third", 2, System.currentTimeMillis() + 60_000);
        JsonPath job = awaitJob(
                tenant,
                "imports",
                start(tenant, "imports", "{\"location\":\"shared\",\"manifest\":\"" + notMine + "\",\"resume\":true}"));
        assertThat(job.getBoolean("result.handoffs[0].outcome.resumed")).isFalse();
        assertThat(job.getString("result.handoffs[0].outcome.reason")).contains("not the handoff's target");
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .post("/api/v1/executions/for-third/thoughts")
                .then()
                .statusCode(409);

        String late = incoming(tenant, "too-late", "test", 2, System.currentTimeMillis() - 1);
        JsonPath lateJob = awaitJob(
                tenant,
                "imports",
                start(tenant, "imports", "{\"location\":\"shared\",\"manifest\":\"" + late + "\",\"resume\":true}"));
        assertThat(lateJob.getString("result.handoffs[0].outcome.reason")).contains("expired");
        assertThat(SharedBucket.get(SharedBucket.base("", "test", tenant) + "handoffs/too-late/2.ack.json"))
                .isNull();
        // fork is how history runs on
        String checkpoint = as(tenant)
                .get("/api/v1/checkpoints?execution_id=too-late")
                .jsonPath()
                .getString("items[0].id");
        as(tenant)
                .body("{\"mode\":\"fork\"}")
                .post("/api/v1/checkpoints/{id}/restore", checkpoint)
                .then()
                .statusCode(200)
                .body("owner_cluster", nullValue());
    }

    @Test
    void anExecutionTakenOverCanBeHandedOnAgainAtTheNextEpoch() {
        String tenant = newTenant();
        String execution = "again-" + UUID.randomUUID().toString().substring(0, 8);
        String manifest = incoming(tenant, execution, "test", 2, System.currentTimeMillis() + 60_000);
        awaitJob(
                tenant,
                "imports",
                start(
                        tenant,
                        "imports",
                        "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\",\"resume\":true}"));
        operator(tenant)
                .body("{\"location\":\"shared\",\"target_cluster\":\"other\"}")
                .post("/api/v1/executions/{id}/handoff", execution)
                .then()
                .statusCode(202)
                .body("epoch", equalTo(3));
        awaitState(tenant, execution, "awaiting_ack");
    }

    @Test
    void aHandoffThroughATenantMappingMeetsTheSourceUnderTheSourcesTenant() throws Exception {
        // location "shared" maps tenant mapped-src of other clusters to mapped-dst here
        String execution = "mapped-" + UUID.randomUUID().toString().substring(0, 8);
        String manifest = incoming("mapped-src", execution, "test", 2, System.currentTimeMillis() + 60_000);
        JsonPath job = awaitJob(
                "mapped-dst",
                "imports",
                start(
                        "mapped-dst",
                        "imports",
                        "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\",\"resume\":true}"));
        assertThat(job.getBoolean("result.handoffs[0].outcome.resumed")).isTrue();
        // where the source looks: under its own tenant, not the one the execution was mapped to here
        assertThat(SharedBucket.get(
                        SharedBucket.base("", "test", "mapped-src") + "handoffs/" + execution + "/2.ack.json"))
                .isNotNull();
        assertThat(SharedBucket.get(
                        SharedBucket.base("", "test", "mapped-dst") + "handoffs/" + execution + "/2.ack.json"))
                .isNull();
        as("mapped-dst")
                .get("/api/v1/executions/{id}", execution)
                .then()
                .statusCode(200)
                .body("epoch", equalTo(2))
                .body("status", equalTo("running"));
    }

    /** The acknowledgement this cluster wrote in an earlier attempt that did not get as far as the take-over. */
    static void acknowledged(String tenant, String execution, String manifest) throws Exception {
        JsonNode h = SharedBucket.MAPPER.readTree(SharedBucket.get(manifest)).get("handoff");
        ObjectNode ack = SharedBucket.MAPPER
                .createObjectNode()
                .put("format", "caf-state-handoff-ack/1")
                .put("handoff_id", h.get("handoff_id").asText())
                .put("execution_id", execution)
                .put("epoch", 2)
                .put("cluster", "test")
                .put("source_cluster", "other")
                .put("manifest_key", manifest)
                .put("acknowledged_at", System.currentTimeMillis() - 60_000);
        SharedBucket.put(
                SharedBucket.base("", "test", tenant) + "handoffs/" + execution + "/2.ack.json",
                ack.toString().getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    /** What the source cluster writes when it aborts: its marker, and (once decided) its outcome. */
    static void sourceAborts(String tenant, String execution, String manifest, String outcome) throws Exception {
        JsonNode h = SharedBucket.MAPPER.readTree(SharedBucket.get(manifest)).get("handoff");
        String base = SharedBucket.base("", "other", tenant) + "handoffs/" + execution + "/2.";
        SharedBucket.put(
                base + "abort.json",
                ("{\"format\":\"caf-state-handoff-abort/1\",\"handoff_id\":\""
                                + h.get("handoff_id").asText() + "\"}")
                        .getBytes(StandardCharsets.UTF_8),
                Map.of());
        if (outcome != null) {
            ObjectNode o = SharedBucket.MAPPER
                    .createObjectNode()
                    .put("format", "caf-state-handoff-outcome/1")
                    .put("handoff_id", h.get("handoff_id").asText())
                    .put("execution_id", execution)
                    .put("epoch", 2)
                    .put("outcome", outcome)
                    .put("decided_at", System.currentTimeMillis());
            SharedBucket.put(base + "outcome.json", o.toString().getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    static String resumeImport(String tenant, String manifest) {
        return start(tenant, "imports", "{\"location\":\"shared\",\"manifest\":\"" + manifest + "\",\"resume\":true}");
    }

    @Test
    void anAcknowledgementFoundAfterTheExpiryTakesOverUnlessTheSourceAbortedFirst() throws Exception {
        String tenant = newTenant();
        long expired = System.currentTimeMillis() - 1;

        // acknowledged, expired, no abort marker: the source has not begun to abort and will see the acknowledgement
        String mine = "settled-" + UUID.randomUUID().toString().substring(0, 8);
        String m1 = incoming(tenant, mine, "test", 2, expired);
        acknowledged(tenant, mine, m1);
        assertThat(awaitJob(tenant, "imports", resumeImport(tenant, m1))
                        .getBoolean("result.handoffs[0].outcome.resumed"))
                .isTrue();
        as(tenant).get("/api/v1/executions/{id}", mine).then().body("epoch", equalTo(2));

        // acknowledged, then the source aborted and published that it did: history
        String theirs = "aborted-" + UUID.randomUUID().toString().substring(0, 8);
        String m2 = incoming(tenant, theirs, "test", 2, expired);
        acknowledged(tenant, theirs, m2);
        sourceAborts(tenant, theirs, m2, "aborted");
        JsonPath history = awaitJob(tenant, "imports", resumeImport(tenant, m2));
        assertThat(history.getBoolean("result.handoffs[0].outcome.resumed")).isFalse();
        assertThat(history.getString("result.handoffs[0].outcome.reason")).contains("source aborted");
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", theirs)
                .then()
                .statusCode(409);

        // acknowledged, abort marker, no outcome yet: the import waits for the source's decision, then follows it
        String pending = "undecided-" + UUID.randomUUID().toString().substring(0, 8);
        String m3 = incoming(tenant, pending, "test", 2, expired);
        acknowledged(tenant, pending, m3);
        sourceAborts(tenant, pending, m3, null);
        String job = resumeImport(tenant, m3);
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> String.valueOf(operator(tenant)
                                .get("/api/v1/imports/{id}", job)
                                .jsonPath()
                                .getString("error"))
                        .contains("decision"));
        assertThat(operator(tenant).get("/api/v1/imports/{id}", job).jsonPath().getString("status"))
                .isNotIn("succeeded", "failed");
        sourceAborts(tenant, pending, m3, "completed");
        assertThat(awaitJob(tenant, "imports", job).getBoolean("result.handoffs[0].outcome.resumed"))
                .isTrue();
        as(tenant).get("/api/v1/executions/{id}", pending).then().body("epoch", equalTo(2));
    }
}
