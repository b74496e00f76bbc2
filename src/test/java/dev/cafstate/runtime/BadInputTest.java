package dev.cafstate.runtime;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Each class of bad input gets its documented problem, and nothing is stored or emitted: after every refused
 * request the execution's state version and event stream are unchanged.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class BadInputTest {

    String tenant;
    String id;
    String etag;

    @BeforeEach
    void execution() {
        tenant = newTenant();
        id = newExecution(tenant);
        as(tenant)
                .body("{\"id\":\"root\",\"type\":\"planning\",\"content\":\"p\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        etag = as(tenant).get("/api/v1/executions/{id}", id).header("ETag");
    }

    private ValidatableResponse postThought(String body) {
        return as(tenant)
                .body(body)
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .contentType("application/problem+json");
    }

    private void nothingChanged() {
        as(tenant)
                .get("/api/v1/executions/{id}/state", id)
                .then()
                .statusCode(200)
                .header("ETag", etag)
                .body("thought_chain.steps.size()", equalTo(1));
    }

    @Test
    void malformedJsonIs400() {
        postThought("{\"type\":\"planning\",")
                .statusCode(400)
                .body("type", containsString("bad-request"))
                .body("detail", not(containsString("com.fasterxml")));
        nothingChanged();
    }

    @Test
    void wrongMediaTypeIs415() {
        given().auth()
                .oauth2(token(tenant))
                .contentType("text/plain")
                .body("hello")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(415)
                .contentType("application/problem+json");
        nothingChanged();
    }

    @Test
    void unknownEnumValueIs422WithField() {
        postThought("{\"type\":\"daydreaming\",\"content\":\"x\",\"confidence\":0.5}")
                .statusCode(422)
                .body("errors[0].field", equalTo("type"))
                .body("errors[0].message", containsString("planning"));
        nothingChanged();
    }

    @Test
    void outOfRangeConfidenceIs422() {
        postThought("{\"steps\":[{\"type\":\"planning\",\"content\":\"ok\",\"confidence\":0.5},"
                        + "{\"type\":\"planning\",\"content\":\"x\",\"confidence\":1.5}]}")
                .statusCode(422)
                .body("errors.field", hasItem("steps[1].confidence"));
        nothingChanged();
    }

    @Test
    void missingRequiredFieldIs422() {
        postThought("{\"type\":\"planning\",\"confidence\":0.5}")
                .statusCode(422)
                .body("errors.field", hasItem("content"));
        nothingChanged();
    }

    @Test
    void negativeCounterIs422AndBackwardsIs409() {
        as(tenant)
                .body("{\"tokens_used\":-5}")
                .patch("/api/v1/executions/{id}/progress", id)
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("tokens_used"));
        nothingChanged();
    }

    @Test
    void idsOverTheConfiguredLimitAreRefused() {
        // the test profile sets caf.limits.max-id-bytes=128; a longer id cannot exist, so in a path it is not found
        String longId = "x".repeat(129);
        postThought("{\"id\":\"" + longId + "\",\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .statusCode(422)
                .body("errors[0].field", equalTo("id"));
        as(tenant)
                .get("/api/v1/executions/{id}", longId)
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        as(tenant)
                .body("{\"id\":\"" + longId + "\",\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(422)
                .contentType("application/problem+json");
        String ok = "y".repeat(128);
        as(tenant)
                .body("{\"id\":\"" + ok + "\",\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201);
        nothingChanged();
    }

    @Test
    void bodiesOverTheLimitAre413() {
        // the test profile sets caf.limits.max-request-bytes=65536 and max-batch-items=100
        String big = "a".repeat(70_000);
        postThought("{\"type\":\"planning\",\"content\":\"" + big + "\",\"confidence\":0.5}")
                .statusCode(413);
        String edge = "a".repeat(65_536 - 60);
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"" + edge + "\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts/", id);
        StringBuilder batch = new StringBuilder("{\"steps\":[");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}");
        }
        postThought(batch.append("]}").toString()).statusCode(413);
    }

    @Test
    void batchAtTheItemLimitIsAccepted() {
        StringBuilder batch = new StringBuilder("{\"steps\":[");
        for (int i = 0; i < 100; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}");
        }
        as(tenant)
                .body(batch.append("]}").toString())
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
    }

    @Test
    void unknownParentIs422AndNothingOfTheBatchIsStored() {
        postThought("{\"steps\":[{\"id\":\"ok\",\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5,"
                        + "\"parent_id\":\"root\"},{\"id\":\"bad\",\"type\":\"planning\",\"content\":\"y\","
                        + "\"confidence\":0.5,"
                        + "\"parent_id\":\"ghost\"}]}")
                .statusCode(422)
                .body("errors[0].field", equalTo("parent_id"));
        nothingChanged();
        as(tenant)
                .get("/api/v1/executions/{id}/state", id)
                .then()
                .body("thought_chain.steps[0].children.size()", equalTo(0));
    }

    @Test
    void duplicateStepIdIs409() {
        postThought("{\"id\":\"root\",\"type\":\"planning\",\"content\":\"again\",\"confidence\":0.5}")
                .statusCode(409);
        postThought("{\"steps\":[{\"id\":\"d\",\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5},"
                        + "{\"id\":\"d\",\"type\":\"planning\",\"content\":\"y\",\"confidence\":0.5}]}")
                .statusCode(422);
        nothingChanged();
    }

    @Test
    void unknownToolCallIs404() {
        as(tenant)
                .body("{\"status\":\"completed\"}")
                .patch("/api/v1/executions/{id}/tool-calls/ghost", id)
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        nothingChanged();
    }

    @Test
    void unknownExecutionIs404() {
        as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", "ghost")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void wrongJsonTypesAre422() {
        postThought("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":\"high\"}")
                .statusCode(422)
                .body("errors[0].field", equalTo("confidence"));
        postThought("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5,\"timestamp\":1.5}")
                .statusCode(422)
                .body("errors[0].field", equalTo("timestamp"));
        nothingChanged();
    }

    @Test
    void badIfMatchAndCursorAre400() {
        // RFC 9110: only a malformed If-Match is a 400; a well-formed tag that is not current is a 412
        as(tenant)
                .header("If-Match", "abc")
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        as(tenant)
                .header("If-Match", "\"unterminated")
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(400);
        as(tenant)
                .header("If-Match", "\"abc\"")
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(412)
                .contentType("application/problem+json");
        as(tenant).queryParam("cursor", "!!!").get("/api/v1/executions").then().statusCode(400);
        nothingChanged();
    }

    @Test
    void problemsNeverLeakJavaNames() {
        String body = as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"x\",\"confidence\":[1]}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(422)
                .extract()
                .asString();
        assertThat(body).doesNotContain("java.").doesNotContain("dev.cafstate").doesNotContain("Exception");
    }
}
