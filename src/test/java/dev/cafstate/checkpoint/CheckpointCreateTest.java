package dev.cafstate.checkpoint;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.support.CafDocs;
import dev.cafstate.support.CafRules;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

@QuarkusTest
@WithTestResource(TestServices.class)
class CheckpointCreateTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static String seed(String tenant) {
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"steps\":[{\"id\":\"p\",\"type\":\"planning\",\"content\":\"plan the work\","
                        + "\"confidence\":0.8},"
                        + "{\"id\":\"r\",\"type\":\"reasoning\",\"content\":\"read first\","
                        + "\"reasoning\":\"cheap\","
                        + "\"confidence\":0.4,\"parent_id\":\"p\",\"metadata\":{\"tool_id\":\"read_file\"}}]}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"role\":\"user\",\"content\":\"list deps\"}")
                .post("/api/v1/executions/{id}/context/messages", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"task\":\"deps\"}")
                .patch("/api/v1/executions/{id}/context/variables", id)
                .then()
                .statusCode(204);
        as(tenant)
                .body("{\"value\":{\"n\":1},\"importance\":0.5}")
                .put("/api/v1/executions/{id}/context/memory/repo", id)
                .then()
                .statusCode(200);
        as(tenant)
                .body("{\"id\":\"tc1\",\"tool_id\":\"read_file\",\"arguments\":{\"path\":\"package.json\"},"
                        + "\"status\":\"running\"}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"status\":\"completed\",\"result\":\"{}\",\"duration_ms\":3}")
                .patch("/api/v1/executions/{id}/tool-calls/tc1", id)
                .then()
                .statusCode(200);
        as(tenant)
                .body("{\"id\":\"tc2\",\"tool_id\":\"bash\",\"arguments\":{}}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"step_number\":4,\"tokens_used\":1234,\"duration_ms\":1500,\"iterations_completed\":2}")
                .patch("/api/v1/executions/{id}/progress", id)
                .then()
                .statusCode(200);
        return id;
    }

    @Test
    void checkpointOfTheRuntimeIsAValidCafDocument() throws Exception {
        String tenant = newTenant();
        String id = seed(tenant);
        Response created = as(tenant)
                .body("{\"reason\":\"step_complete\",\"name\":\"n1\"}")
                .post("/api/v1/executions/{id}/checkpoints", id);
        created.then()
                .statusCode(201)
                .header("Location", containsString("/api/v1/checkpoints/"))
                .body("execution_id", equalTo(id))
                .body("reason", equalTo("step_complete"))
                .body("step_number", equalTo(4))
                .body("counts.steps", equalTo(2))
                .body("counts.tool_calls", equalTo(1))
                .body("schema_version", equalTo("0.0.1"))
                .body("sha256", notNullValue());
        String cp = created.path("id");
        String sha = created.path("sha256");

        Response doc = as(tenant).get("/api/v1/checkpoints/{id}/document", cp);
        doc.then()
                .statusCode(200)
                .header("ETag", "\"" + sha + "\"")
                .header("Content-Disposition", containsString("filename=\"" + cp + ".json\""));
        byte[] bytes = doc.asByteArray();
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                .isEqualTo(sha);
        JsonNode json = MAPPER.readTree(bytes);
        assertThat(CafRules.checkpoint(json)).isEmpty();
        assertThat(json.get("agent_id").asText()).isEqualTo("agent-1");
        assertThat(json.get("metadata").get("agent_id").asText()).isEqualTo("agent-1");
        assertThat(json.get("metadata").get("checkpoint_reason").asText()).isEqualTo("step_complete");
        assertThat(json.get("metadata").get("tokens_used").asLong()).isEqualTo(1234);
        assertThat(json.get("snapshot")
                        .get("progress")
                        .get("iterations_completed")
                        .asInt())
                .isEqualTo(2);
        assertThat(json.has("parent")).isFalse();
        JsonNode state = MAPPER.readTree(
                as(tenant).get("/api/v1/executions/{id}/state", id).asString());
        assertThat(json.get("snapshot")).isEqualTo(state);
        as(tenant).get("/api/v1/executions/{id}", id).then().body("current_checkpoint_id", equalTo(cp));
    }

    @Test
    void theObjectInTheBucketIsWhatCafAccepts() throws Exception {
        String tenant = newTenant();
        String id = seed(tenant);
        Response created = as(tenant).body("{}").post("/api/v1/executions/{id}/checkpoints", id);
        String key = created.path("object_key");
        try (S3Client s3 = Storage.client()) {
            ResponseBytes<GetObjectResponse> object =
                    s3.getObjectAsBytes(b -> b.bucket(TestServices.BUCKET).key(key));
            JsonNode doc = MAPPER.readTree(object.asByteArray());
            assertThat(CafRules.checkpoint(doc)).isEmpty();
            assertThat(doc.get("id").asText()).isEqualTo((String) created.path("id"));
            assertThat(object.response().metadata())
                    .containsEntry("sha256", created.path("sha256"))
                    .containsEntry("schema-version", "0.0.1");
            assertThat(key).startsWith("tenants/" + tenant + "/executions/");
        }
    }

    @Test
    void idempotencyKeyReturnsTheSameCheckpoint() {
        String tenant = newTenant();
        String id = seed(tenant);
        String first = as(tenant)
                .header("Idempotency-Key", "k-1")
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(tenant)
                .body("{\"type\":\"observation\",\"content\":\"later\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant)
                .header("Idempotency-Key", "k-1")
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(200)
                .body("id", equalTo(first))
                .body("counts.steps", equalTo(2));
        as(tenant)
                .queryParam("execution_id", id)
                .get("/api/v1/checkpoints")
                .then()
                .body("items.size()", equalTo(1));
    }

    @Test
    void pushAcceptsEverySdkFixtureAndIsIdempotent() throws Exception {
        String tenant = newTenant();
        for (String name : new String[] {"engine-basic-agent", "manager-rich-state", "schema-all-optional-fields"}) {
            String body = new String(
                    getClass().getResourceAsStream("/caf/" + name + ".json").readAllBytes());
            JsonNode original = MAPPER.readTree(body);
            String id = as(tenant)
                    .body(body)
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(201)
                    .body("schema_version", equalTo("0.0.1"))
                    .extract()
                    .path("id");
            as(tenant)
                    .body(body)
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(200)
                    .body("id", equalTo(id));
            JsonNode exported = MAPPER.readTree(
                    as(tenant).get("/api/v1/checkpoints/{id}/document", id).asByteArray());
            assertThat(exported).as(name).isEqualTo(original);
        }
        as(tenant)
                .get("/api/v1/executions/{id}", "mwyc0a1b_k3j9x2p7q")
                .then()
                .statusCode(200)
                .body("agent_id", equalTo("demo-agent"));
        as(tenant)
                .queryParam("execution_id", "mwyc0a1b_k3j9x2p7q")
                .get("/api/v1/checkpoints")
                .then()
                .body("items.size()", equalTo(2));
    }

    @Test
    void sameIdWithOtherContentIsAConflict() throws Exception {
        String tenant = newTenant();
        ObjectNode doc = CafDocs.checkpoint("same-id", "exec-c")
                .step("s1", "planning", "a", 0.5)
                .build();
        as(tenant).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(201);
        doc.put("name", "changed");
        as(tenant)
                .body(doc.toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        as(tenant).get("/api/v1/checkpoints/same-id/document").then().body("containsKey('name')", equalTo(false));
    }

    @Test
    void invalidDocumentsAreRefusedWithFieldErrors() throws Exception {
        String tenant = newTenant();
        String invalid = new String(
                getClass().getResourceAsStream("/caf/invalid-docs-example.json").readAllBytes());
        as(tenant)
                .body(invalid)
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("snapshot.thought_chain"));
        ObjectNode wrongVersion = CafDocs.checkpoint("v1", "e").build().put("version", "1.0.0");
        as(tenant)
                .body(wrongVersion.toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(422)
                .body("errors[0].field", equalTo("version"));
        ObjectNode withNull = CafDocs.checkpoint("n1", "e").build();
        withNull.with("metadata").putNull("agent_name");
        as(tenant)
                .body(withNull.toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(422)
                .body("errors[0].field", equalTo("metadata.agent_name"));
        as(tenant)
                .queryParam("execution_id", "e")
                .get("/api/v1/checkpoints")
                .then()
                .body("items.size()", equalTo(0));
        // CAF's schema does not tie metadata.agent_id to agent_id, so neither does this service
        ObjectNode mismatch = CafDocs.checkpoint("m1", "e").build();
        mismatch.with("metadata").put("agent_id", "someone-else");
        as(tenant).body(mismatch.toString()).post("/api/v1/checkpoints").then().statusCode(201);
    }

    @Test
    void oversizedDocumentsAre413() {
        String tenant = newTenant();
        // the test profile allows 256 KiB
        String doc = CafDocs.checkpoint("big", "e-big").bulk(4000).toString();
        assertThat(doc.length()).isGreaterThan(262_144);
        as(tenant).body(doc).post("/api/v1/checkpoints").then().statusCode(413).contentType("application/problem+json");
    }

    @Test
    void idsThatCouldEscapeAKeyPathAreStoredSafely() throws Exception {
        String tenant = newTenant();
        ObjectNode doc = CafDocs.checkpoint("../../etc/passwd", "a/b/../c")
                .step("s", "planning", "x", 0.5)
                .build();
        String key = as(tenant)
                .body(doc.toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201)
                .extract()
                .path("object_key");
        assertThat(key).doesNotContain("/../").doesNotContain("a/b").startsWith("tenants/" + tenant + "/executions/");
        assertThat(key.split("/")).hasSize(7);
        byte[] bytes = as(tenant)
                .get("/api/v1/checkpoints/{id}/document", "../../etc/passwd")
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        assertThat(MAPPER.readTree(bytes).get("execution_id").asText()).isEqualTo("a/b/../c");
    }
}
