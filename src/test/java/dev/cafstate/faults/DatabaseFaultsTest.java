package dev.cafstate.faults;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * PostgreSQL failing under requests: connections reset mid-request, and a database that
 * stops answering without resetting anything. Every answer is a success or a 503 problem with {@code Retry-After}
 * within a bounded time, never a 500 or a hang, and what was acknowledged is there afterwards.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class DatabaseFaultsTest {

    @Test
    void connectionsResetUnderLoadGiveOnly503sAndLoseNothingAcknowledged() throws Exception {
        String tenant = newTenant();
        int writers = 8;
        List<String> executions = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            executions.add(newExecution(tenant));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> unexpected = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        List<Future<Integer>> jobs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String execution = executions.get(w);
            int writer = w;
            jobs.add(threads.submit(() -> {
                int attempts = 0;
                while (running.get()) {
                    String id = "w" + writer + "-" + attempts++;
                    Response r = as(tenant)
                            .body("{\"id\":\"" + id + "\",\"type\":\"reasoning\",\"content\":\"c\","
                                    + "\"confidence\":0.5}")
                            .post("/api/v1/executions/{id}/thoughts", execution);
                    if (r.statusCode() == 201) {
                        acknowledged.add(execution + "/" + id);
                    }
                    check(r, 201, unexpected);
                    // changes that run as transactions of several statements, and a checkpoint
                    check(
                            as(tenant)
                                    .body("{\"content\":\"patched\"}")
                                    .patch("/api/v1/executions/{id}/thoughts/{step}", execution, id),
                            200,
                            unexpected);
                    check(
                            as(tenant)
                                    .body("{\"tokens_used\":" + attempts + "}")
                                    .patch("/api/v1/executions/{id}/progress", execution),
                            200,
                            unexpected);
                    check(
                            as(tenant)
                                    .body("{\"id\":\"t" + id + "\",\"tool_id\":\"x\",\"arguments\":{}}")
                                    .post("/api/v1/executions/{id}/tool-calls", execution),
                            201,
                            unexpected);
                    check(
                            as(tenant)
                                    .body("{\"status\":\"completed\"}")
                                    .patch("/api/v1/executions/{id}/tool-calls/{call}", execution, "t" + id),
                            200,
                            unexpected);
                    if (attempts % 5 == 0) {
                        check(
                                as(tenant).body("{}").post("/api/v1/executions/{id}/checkpoints", execution),
                                201,
                                unexpected);
                    }
                }
                return attempts;
            }));
        }
        for (int round = 0; round < 4; round++) {
            Thread.sleep(700);
            if (round % 2 == 0) {
                TestServices.database().reset();
            } else {
                TestServices.database().cut();
            }
            Thread.sleep(150);
            TestServices.database().open();
        }
        Thread.sleep(400);
        running.set(false);
        int attempts = 0;
        for (Future<Integer> job : jobs) {
            attempts += job.get();
        }
        threads.shutdown();
        assertThat(unexpected).isEmpty();
        assertThat(acknowledged.size()).isLessThan(attempts).isGreaterThan(writers);

        // every acknowledged step is there; a 503 either changed nothing or completed
        for (String execution : executions) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() ->
                            as(tenant).get("/api/v1/executions/{id}", execution).statusCode() == 200);
            List<String> stored = as(tenant)
                    .queryParam("limit", 500)
                    .get("/api/v1/executions/{id}/thoughts", execution)
                    .jsonPath()
                    .getList("items.id", String.class);
            for (String ack : acknowledged) {
                if (ack.startsWith(execution + "/")) {
                    assertThat(stored).contains(ack.substring(execution.length() + 1));
                }
            }
        }
    }

    /**
     * Records an answer that is neither the expected success nor a clean 503 (a 404/409 can follow a 503 that did not
     * change anything, e.g. patching a step whose append was refused, or one that completed).
     */
    private static void check(Response r, int success, List<String> unexpected) {
        int s = r.statusCode();
        boolean ok = s == success
                || s == 404
                || s == 409
                || (s == 503
                        && r.header("Retry-After") != null
                        && r.contentType().startsWith("application/problem+json"));
        if (!ok) {
            synchronized (unexpected) {
                unexpected.add(s + " " + r.asString());
            }
        }
    }

    @Test
    void aBlackHoledDatabaseGives503sWithinTheBoundAndReadinessSaysDown() throws Exception {
        String tenant = newTenant();
        String execution = newExecution(tenant);
        TestServices.database().freeze();
        try {
            long start = System.nanoTime();
            Response r = as(tenant)
                    .body("{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                    .post("/api/v1/executions/{id}/thoughts", execution);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotNull();
            // the test profile bounds statements at 2 s and the wait for a connection at 2 s
            assertThat(tookMs).isLessThan(6_000);
            as(tenant).get("/api/v1/executions/{id}/state", execution).then().statusCode(503);

            start = System.nanoTime();
            Response ready = given().get("/q/health/ready");
            tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.jsonPath().getString("checks.find { it.name == 'postgresql' }.status"))
                    .isEqualTo("DOWN");
            assertThat(tookMs).isLessThan(2_500);
        } finally {
            TestServices.database().thaw();
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> as(tenant)
                                .body("{\"type\":\"planning\",\"content\":\"after\",\"confidence\":0.5}")
                                .post("/api/v1/executions/{id}/thoughts", execution)
                                .statusCode()
                        == 201);
        given().get("/q/health/ready").then().statusCode(200);
    }
}
