package dev.cafstate.checkpoint;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.support.CafDocs;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(TestServices.class)
class RestoreTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    JsonNode document(String tenant, String id) throws Exception {
        return MAPPER.readTree(as(tenant)
                .get("/api/v1/checkpoints/{id}/document", id)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray());
    }

    @Test
    void restoreInPlaceThenCheckpointAgainYieldsTheSameDocument() throws Exception {
        String tenant = newTenant();
        String id = CheckpointCreateTest.seed(tenant);
        String cp = as(tenant)
                .body("{\"reason\":\"manual\",\"name\":\"n\"}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        // the runtime moves on, then goes back
        as(tenant)
                .body("{\"type\":\"observation\",\"content\":\"later\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"status\":\"completed\"}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(200);
        as(tenant)
                .body("{}")
                .post("/api/v1/checkpoints/{id}/restore", cp)
                .then()
                .statusCode(200)
                .body("status", equalTo("running"))
                .body("counts.steps", equalTo(2));
        String again = as(tenant)
                .body("{\"reason\":\"manual\",\"name\":\"n\"}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201)
                .extract()
                .path("id");

        ObjectNode original = (ObjectNode) document(tenant, cp);
        ObjectNode second = (ObjectNode) document(tenant, again);
        assertThat(second.get("parent").get("checkpoint_id").asText()).isEqualTo(cp);
        assertThat(second.get("parent").get("is_branch").asBoolean()).isFalse();
        for (ObjectNode d : new ObjectNode[] {original, second}) {
            d.remove("id");
            d.remove("timestamp");
            d.remove("parent");
        }
        assertThat(second).isEqualTo(original);
        // the parent is consumed: the next checkpoint has none
        String third = as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        assertThat(document(tenant, third).has("parent")).isFalse();
    }

    @Test
    void forkMakesANewExecutionWhoseNextCheckpointIsABranch() throws Exception {
        String tenant = newTenant();
        String id = CheckpointCreateTest.seed(tenant);
        String cp = as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(tenant)
                .body("{\"mode\":\"fork\",\"execution_id\":\"the-fork\"}")
                .post("/api/v1/checkpoints/{id}/restore", cp)
                .then()
                .statusCode(200)
                .body("id", equalTo("the-fork"))
                .body("agent_id", equalTo("agent-1"))
                .body("counts.steps", equalTo(2));
        JsonNode forkState = MAPPER.readTree(
                as(tenant).get("/api/v1/executions/the-fork/state").asString());
        assertThat(forkState)
                .isEqualTo(MAPPER.readTree(
                        as(tenant).get("/api/v1/executions/{id}/state", id).asString()));
        String branch = as(tenant)
                .body("{\"reason\":\"branch\"}")
                .post("/api/v1/executions/the-fork/checkpoints")
                .then()
                .statusCode(201)
                .body("is_branch", equalTo(true))
                .body("parent_checkpoint_id", equalTo(cp))
                .extract()
                .path("id");
        JsonNode doc = document(tenant, branch);
        assertThat(doc.get("parent").get("is_branch").asBoolean()).isTrue();
        assertThat(doc.get("execution_id").asText()).isEqualTo("the-fork");
        as(tenant)
                .body("{\"mode\":\"fork\",\"execution_id\":\"the-fork\"}")
                .post("/api/v1/checkpoints/{id}/restore", cp)
                .then()
                .statusCode(409);
        as(tenant)
                .body("{\"mode\":\"sideways\"}")
                .post("/api/v1/checkpoints/{id}/restore", cp)
                .then()
                .statusCode(422);
    }

    @Test
    void restoreWorksAfterTheExecutionWasDeleted() throws Exception {
        String tenant = newTenant();
        String body = new String(getClass()
                .getResourceAsStream("/caf/schema-all-optional-fields.json")
                .readAllBytes());
        as(tenant).body(body).post("/api/v1/checkpoints").then().statusCode(201);
        as(tenant).delete("/api/v1/executions/mwyc0a1b_k3j9x2p7q").then().statusCode(204);
        as(tenant)
                .body("{\"mode\":\"in_place\"}")
                .post("/api/v1/checkpoints/mwyc0b2c_q8w7e6r5t/restore")
                .then()
                .statusCode(200)
                .body("id", equalTo("mwyc0a1b_k3j9x2p7q"))
                .body("counts.steps", equalTo(3));
        JsonNode state = MAPPER.readTree(
                as(tenant).get("/api/v1/executions/mwyc0a1b_k3j9x2p7q/state").asString());
        assertThat(state).isEqualTo(MAPPER.readTree(body).get("snapshot"));
    }

    @Test
    void restoreRejectsATamperedObjectAndLeavesTheRuntimeAlone() throws Exception {
        String tenant = newTenant();
        // larger than the test profile's inline threshold, so restore must read the object
        ObjectNode doc = CafDocs.checkpoint("tamper-me", "exec-t").bulk(40).build();
        String key = as(tenant)
                .body(doc.toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201)
                .extract()
                .path("object_key");
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"runtime before\",\"confidence\":0.5}")
                .post("/api/v1/executions/exec-t/thoughts")
                .then()
                .statusCode(201);
        String etag = as(tenant).get("/api/v1/executions/exec-t").header("ETag");

        Path file = TestServices.s3Data().resolve(TestServices.BUCKET).resolve(key);
        byte[] bytes = Files.readAllBytes(file);
        int at = new String(bytes).indexOf("long enough");
        bytes[at] = (byte) 'L';
        Files.write(file, bytes);

        as(tenant)
                .body("{}")
                .post("/api/v1/checkpoints/tamper-me/restore")
                .then()
                .statusCode(502)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:caf-state:problem:integrity-failure"));
        as(tenant).get("/api/v1/checkpoints/tamper-me/document").then().statusCode(502);
        as(tenant).get("/api/v1/executions/exec-t").then().header("ETag", etag).body("counts.steps", equalTo(1));

        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        as(tenant)
                .body("{\"mode\":\"fork\"}")
                .post("/api/v1/checkpoints/tamper-me/restore")
                .then()
                .statusCode(502);
    }
}
