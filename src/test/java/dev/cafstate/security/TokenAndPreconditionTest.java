package dev.cafstate.security;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.cafstate.support.Api;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Issue 10, items 9 to 12: lists of unknown executions, the idempotency race, If-Match as RFC 9110 reads it, and
 * token times checked with a small skew.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class TokenAndPreconditionTest {

    static final String STEP = "{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}";

    String token(String timeClaims) {
        return Api.signed("{\"iss\":\"https://caf-state.test/issuer\",\"aud\":\"caf-state\",\"sub\":\"u\","
                + "\"tenant\":\"" + newTenant() + "\",\"groups\":[\"reader\"]," + timeClaims + "}");
    }

    @Test
    void tokenTimesAreCheckedWithASmallSkew() {
        long now = System.currentTimeMillis() / 1000;
        // the test profile's skew is 1 s (the default is 5 s; SmallRye's own would be 60 s)
        for (String refused : List.of(
                "\"exp\":" + (now - 30),
                "\"exp\":" + (now + 300) + ",\"nbf\":" + (now + 30),
                "\"exp\":" + (now + 7200) + ",\"iat\":" + (now + 3600),
                "\"exp\":" + (now + 300) + ",\"iat\":" + (now + 30))) {
            Response r = given().auth().oauth2(token(refused)).get("/api/v1/executions");
            assertThat(r.statusCode()).as(refused).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        given().auth()
                .oauth2(token("\"exp\":" + (now + 300) + ",\"iat\":" + now))
                .get("/api/v1/executions")
                .then()
                .statusCode(200);
    }

    @Test
    void thoughtsOfAnUnknownOrForeignExecutionAre404() {
        String owner = newTenant();
        String id = newExecution(owner);
        as(owner).get("/api/v1/executions/{id}/thoughts", id).then().statusCode(200);
        as(owner)
                .queryParam("type", "decision")
                .get("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(200);
        as(owner)
                .get("/api/v1/executions/nothing-here/thoughts")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        as(newTenant()).get("/api/v1/executions/{id}/thoughts", id).then().statusCode(404);
    }

    @Test
    void concurrentRequestsWithOneIdempotencyKeyGetTheOneCheckpoint() throws Exception {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body(STEP)
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        int clients = 20;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Future<Response>> calls = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            calls.add(threads.submit(() -> {
                start.await();
                return as(tenant)
                        .header("Idempotency-Key", "once")
                        .body("{\"reason\":\"manual\"}")
                        .post("/api/v1/executions/{id}/checkpoints", id);
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Future<Response> call : calls) {
            Response r = call.get();
            statuses.add(r.statusCode());
            ids.add(r.path("id"));
        }
        threads.shutdown();
        assertThat(statuses).containsOnly(201, 200);
        assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(1);
        assertThat(ids).hasSize(1);
        assertThat(as(tenant)
                        .queryParam("execution_id", id)
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items"))
                .hasSize(1);
        // the losers' objects are gone: one object for the one checkpoint
        assertThat(Storage.keys("tenants/" + tenant + "/")).hasSize(1);
        // the same key with another request is refused
        as(tenant)
                .header("Idempotency-Key", "once")
                .body("{\"reason\":\"decision\"}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(422)
                .contentType("application/problem+json");
    }

    @Test
    void ifMatchFollowsRfc9110() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        String etag = as(tenant).get("/api/v1/executions/{id}", id).header("ETag");
        String version = etag.replace("\"", "");
        // a weak tag never matches in If-Match, even of the current version
        as(tenant)
                .header("If-Match", "W/" + etag)
                .body(STEP)
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(412)
                .contentType("application/problem+json");
        // well-formed tags that name no current version: 412, not 400
        as(tenant)
                .header("If-Match", "\"stale-0\"")
                .body(STEP)
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(412);
        as(tenant)
                .header("If-Match", "\"999\"")
                .body("{\"status\":\"paused\"}")
                .patch("/api/v1/executions/{id}", id)
                .then()
                .statusCode(412);
        // a list matches when one of its strong tags is current
        String next = as(tenant)
                .header("If-Match", "\"999\", W/\"1\", " + etag)
                .body(STEP)
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201)
                .extract()
                .header("ETag");
        as(tenant)
                .header("If-Match", "*")
                .body(STEP)
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant)
                .header("If-Match", "\"" + version + "\"")
                .delete("/api/v1/executions/{id}", id)
                .then()
                .statusCode(412);
        assertThat(next).isNotEqualTo(etag);
        // malformed headers are the only 400s
        for (String malformed : List.of("3", "\"3", "W/3", "\"a\"b\"")) {
            as(tenant)
                    .header("If-Match", malformed)
                    .body(STEP)
                    .post("/api/v1/executions/{id}/thoughts", id)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json");
        }
    }
}
