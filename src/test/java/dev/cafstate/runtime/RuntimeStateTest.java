package dev.cafstate.runtime;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.support.CafRules;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;

@QuarkusTest
@WithTestResource(TestServices.class)
class RuntimeStateTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void newExecutionHasEmptyCafStateAndStartsRunning() throws Exception {
        String tenant = newTenant();
        String id = as(tenant)
                .body("{\"id\":\"exec-1\",\"agent_id\":\"a1\",\"agent_name\":\"Agent\",\"metadata\":{\"k\":1}}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .header("Location", Matchers.endsWith("/api/v1/executions/exec-1"))
                .header("ETag", notNullValue())
                .body("status", equalTo("running"))
                .body("agent_name", equalTo("Agent"))
                .body("counts.steps", equalTo(0))
                .extract()
                .path("id");
        String body = as(tenant)
                .get("/api/v1/executions/{id}/state", id)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonNode state = MAPPER.readTree(body);
        assertThat(CafRules.state(state)).isEmpty();
        assertThat(state.get("thought_chain").get("steps")).isEmpty();
        assertThat(state.get("thought_chain").has("current_step_id")).isFalse();
        assertThat(state.get("context").get("variables").isObject()).isTrue();
        assertThat(state.get("context").has("memory")).isFalse();
        assertThat(state.get("progress").get("step_number").asInt()).isZero();
    }

    @Test
    void appendMaintainsChildrenAndCurrentStep() throws Exception {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"id\":\"s1\",\"type\":\"planning\",\"content\":\"plan\",\"confidence\":0.8}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201)
                .body("id", equalTo("s1"))
                .body("children", hasSize(0))
                .body("timestamp", notNullValue());
        as(tenant)
                .body("""
                {"steps":[
                  {"id":"s2","type":"reasoning","content":"why","confidence":0.6,"parent_id":"s1"},
                  {"id":"s3","type":"decision","content":"do","confidence":0.9,"parent_id":"s2",
                   "alternatives":[{"option":"x","reason_rejected":"slow","confidence":0.1}],
                   "metadata":{"m":[1,2]}}]}""")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201)
                .body("steps", hasSize(2))
                .body("steps[0].children[0]", equalTo("s3"));
        as(tenant)
                .body("{\"type\":\"observation\",\"content\":\"auto id\",\"confidence\":1,\"parent_id\":\"s1\"}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);

        JsonNode state = MAPPER.readTree(
                as(tenant).get("/api/v1/executions/{id}/state", id).asString());
        assertThat(CafRules.state(state)).isEmpty();
        JsonNode steps = state.get("thought_chain").get("steps");
        assertThat(steps).hasSize(4);
        String autoId = steps.get(3).get("id").asText();
        assertThat(autoId).startsWith("step_");
        assertThat(steps.get(0).get("children").toString()).isEqualTo("[\"s2\",\"" + autoId + "\"]");
        assertThat(steps.get(1).get("children").toString()).isEqualTo("[\"s3\"]");
        assertThat(steps.get(2)
                        .get("alternatives")
                        .get(0)
                        .get("reason_rejected")
                        .asText())
                .isEqualTo("slow");
        assertThat(state.get("thought_chain").get("current_step_id").asText()).isEqualTo(autoId);

        as(tenant)
                .queryParam("type", "decision")
                .get("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].id", equalTo("s3"));
        as(tenant)
                .queryParam("min_confidence", 0.85)
                .get("/api/v1/executions/{id}/thoughts", id)
                .then()
                .body("items.id", equalTo(List.of("s3", autoId)));
        as(tenant)
                .queryParam("limit", 3)
                .get("/api/v1/executions/{id}/thoughts", id)
                .then()
                .body("items", hasSize(3))
                .body("next_cursor", notNullValue());
    }

    @Test
    void thoughtPatchMergesAndRemoves() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"id\":\"s1\",\"type\":\"planning\",\"content\":\"plan\",\"reasoning\":\"r\","
                        + "\"confidence\":0.5,"
                        + "\"metadata\":{\"a\":1,\"b\":{\"c\":2}}}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant)
                .contentType("application/merge-patch+json")
                .body("{\"content\":\"better\",\"reasoning\":null,\"confidence\":0.7,"
                        + "\"metadata\":{\"a\":null,\"b\":{\"d\":3}}}")
                .patch("/api/v1/executions/{id}/thoughts/s1", id)
                .then()
                .statusCode(200)
                .body("content", equalTo("better"))
                .body("reasoning", equalTo(null))
                .body("confidence", equalTo(0.7f))
                .body("metadata.a", equalTo(null))
                .body("metadata.b.c", equalTo(2))
                .body("metadata.b.d", equalTo(3));
        as(tenant)
                .body("{\"type\":\"decision\"}")
                .patch("/api/v1/executions/{id}/thoughts/s1", id)
                .then()
                .statusCode(422)
                .contentType("application/problem+json");
        as(tenant)
                .body("{\"content\":\"x\"}")
                .patch("/api/v1/executions/{id}/thoughts/nope", id)
                .then()
                .statusCode(404);
    }

    @Test
    void etagsAndIfMatch() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        String etag =
                as(tenant).get("/api/v1/executions/{id}", id).then().extract().header("ETag");
        String next = as(tenant)
                .header("If-Match", etag)
                .body("{\"type\":\"planning\",\"content\":\"a\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201)
                .extract()
                .header("ETag");
        assertThat(next).isNotEqualTo(etag);
        as(tenant)
                .header("If-Match", etag)
                .body("{\"type\":\"planning\",\"content\":\"b\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(412)
                .contentType("application/problem+json");
        as(tenant)
                .header("If-Match", etag)
                .body("{\"status\":\"paused\"}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(412);
        as(tenant)
                .get("/api/v1/executions/{id}/state", id)
                .then()
                .header("ETag", equalTo(next))
                .body("thought_chain.steps", hasSize(1));
    }

    @Test
    void statusTransitionsFollowTheLifecycle() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"status\":\"paused\"}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(200)
                .body("status", equalTo("paused"));
        as(tenant)
                .body("{\"status\":\"running\",\"metadata\":{\"x\":\"y\"}}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(200)
                .body("status", equalTo("running"))
                .body("metadata.x", equalTo("y"));
        as(tenant)
                .body("{\"status\":\"completed\"}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(200)
                .body("ended_at", notNullValue());
        as(tenant)
                .body("{\"status\":\"running\"}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"late\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(409);
        as(tenant)
                .body("{\"status\":\"sleeping\"}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(422)
                .body("errors[0].field", equalTo("status"));
    }

    @Test
    void listFiltersAndPages() {
        String tenant = newTenant();
        for (int i = 0; i < 5; i++) {
            as(tenant)
                    .body("{\"id\":\"e" + i + "\",\"agent_id\":\"" + (i % 2 == 0 ? "even" : "odd") + "\"}")
                    .post("/api/v1/executions")
                    .then()
                    .statusCode(201);
        }
        as(tenant)
                .queryParam("agent_id", "even")
                .get("/api/v1/executions")
                .then()
                .statusCode(200)
                .body("items", hasSize(3));
        String cursor = as(tenant)
                .queryParam("limit", 2)
                .get("/api/v1/executions")
                .then()
                .body("items", hasSize(2))
                .extract()
                .path("next_cursor");
        String cursor2 = as(tenant)
                .queryParam("limit", 2)
                .queryParam("cursor", cursor)
                .get("/api/v1/executions")
                .then()
                .body("items", hasSize(2))
                .extract()
                .path("next_cursor");
        as(tenant)
                .queryParam("limit", 2)
                .queryParam("cursor", cursor2)
                .get("/api/v1/executions")
                .then()
                .body("items", hasSize(1))
                .body("next_cursor", equalTo(null));
        as(tenant)
                .queryParam("status", "running")
                .get("/api/v1/executions")
                .then()
                .body("items", hasSize(5));
        as(tenant).queryParam("limit", 501).get("/api/v1/executions").then().statusCode(400);
    }

    @Test
    void anotherTenantsExecutionIsNotFound() {
        String owner = newTenant();
        String id = newExecution(owner);
        String other = newTenant();
        as(other).get("/api/v1/executions/{id}", id).then().statusCode(404).contentType("application/problem+json");
        as(other)
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(404);
        as(other).get("/api/v1/executions").then().body("items", hasSize(0));
        as(other).delete("/api/v1/executions/{id}", id).then().statusCode(404);
        as(owner).get("/api/v1/executions/{id}", id).then().statusCode(200);
    }

    @Test
    void deleteRemovesRuntimeState() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"a\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant).delete("/api/v1/executions/{id}", id).then().statusCode(204);
        as(tenant).get("/api/v1/executions/{id}/state", id).then().statusCode(404);
        as(tenant)
                .body("{\"id\":\"" + id + "\",\"agent_id\":\"again\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .body("counts.steps", equalTo(0));
    }

    @Test
    void authIsRequiredAndTenantComesFromTheToken() {
        given().contentType("application/json")
                .get("/api/v1/executions")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer");
        given().auth()
                .oauth2("not-a-jwt")
                .get("/api/v1/executions")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
        String noTenant = Jwt.issuer("https://caf-state.test/issuer")
                .audience("caf-state")
                .subject("x")
                .sign();
        given().auth()
                .oauth2(noTenant)
                .get("/api/v1/executions")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        String wrongIssuer = Jwt.issuer("https://elsewhere")
                .audience("caf-state")
                .claim("tenant", "t")
                .sign();
        given().auth().oauth2(wrongIssuer).get("/api/v1/executions").then().statusCode(401);
    }

    @Test
    void aTokenIsRefusedOnceExpiredEvenAfterItWasAccepted() throws Exception {
        // verified tokens are remembered (caf.auth.token-cache-ttl), but never past their exp (test clock skew: 1 s)
        long exp = System.currentTimeMillis() / 1000 + 2;
        String shortLived = Jwt.issuer("https://caf-state.test/issuer")
                .audience("caf-state")
                .subject("x")
                .claim("tenant", newTenant())
                .groups(Set.of("reader"))
                .expiresAt(exp)
                .sign();
        given().auth().oauth2(shortLived).get("/api/v1/executions").then().statusCode(200);
        given().auth().oauth2(shortLived).get("/api/v1/executions").then().statusCode(200);
        while (System.currentTimeMillis() / 1000 <= exp + 1) {
            Thread.sleep(100);
        }
        given().auth()
                .oauth2(shortLived)
                .get("/api/v1/executions")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void tenantClaimMayBeANestedPathAsInKubernetesTokens() {
        // the test profile reads claim "tenant"; a Kubernetes-style nested claim is not it
        String k8s = Jwt.issuer("https://caf-state.test/issuer")
                .audience("caf-state")
                .subject("sa")
                .claim("kubernetes.io", Map.of("namespace", "agents-a"))
                .sign();
        given().auth().oauth2(k8s).get("/api/v1/executions").then().statusCode(403);
    }

    @Test
    void createWithInitialStateSeedsAllParts() throws Exception {
        String tenant = newTenant();
        JsonNode fixture = MAPPER.readTree(getClass().getResourceAsStream("/caf/schema-all-optional-fields.json"));
        String body = "{\"agent_id\":\"demo-agent\",\"initial_state\":" + fixture.get("snapshot") + "}";
        String id = as(tenant)
                .body(body)
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .body("counts.steps", equalTo(3))
                .body("counts.messages", equalTo(4))
                .body("counts.tool_calls", equalTo(3))
                .extract()
                .path("id");
        JsonNode state = MAPPER.readTree(
                as(tenant).get("/api/v1/executions/{id}/state", id).asString());
        assertThat(CafRules.state(state)).isEmpty();
        assertThat(state.get("thought_chain")).isEqualTo(fixture.get("snapshot").get("thought_chain"));
        assertThat(state.get("context")).isEqualTo(fixture.get("snapshot").get("context"));
        assertThat(state.get("tool_state").get("pending").toString()).isEqualTo("[\"tc_3\"]");
        assertThat(state.get("tool_state").get("failed").get(0).get("error").asText())
                .isEqualTo("exit code 1");
        assertThat(state.get("progress").get("total_steps_estimate").asInt()).isEqualTo(6);
    }
}
