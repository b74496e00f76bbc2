package dev.cafstate.runtime;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(TestServices.class)
class ConcurrentAppendTest {

    /**
     * Checkpoints, pushes and appends on one execution at once: every write locks the execution's row before its
     * event counter. A checkpoint's statement once took the counter first (its execution update is a CTE nothing
     * reads, which PostgreSQL runs last), so a checkpoint and an append could deadlock: a 503 after a second.
     */
    @Test
    void checkpointsAndAppendsOnOneExecutionAtOnceNeverDeadlock() throws Exception {
        String tenant = newTenant();
        String id = newExecution(tenant);
        int rounds = 12;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            int writer = w;
            results.add(pool.submit(() -> {
                start.await();
                List<String> refused = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    var r = writer < 2
                            ? as(tenant).body("{}").post("/api/v1/executions/{id}/checkpoints", id)
                            : writer == 2
                                    ? as(tenant)
                                            .body("{\"step_number\":" + (i + 1) + "}")
                                            .patch("/api/v1/executions/{id}/progress", id)
                                    : as(tenant)
                                            .body("{\"type\":\"reasoning\",\"content\":\"w" + writer + "-" + i
                                                    + "\",\"confidence\":0.5}")
                                            .post("/api/v1/executions/{id}/thoughts", id);
                    if (r.statusCode() >= 300) {
                        refused.add(writer + "/" + i + ": " + r.statusCode() + " "
                                + r.body().asString());
                    }
                }
                return refused;
            }));
        }
        start.countDown();
        List<String> refused = new ArrayList<>();
        for (Future<List<String>> f : results) {
            refused.addAll(f.get());
        }
        pool.shutdown();
        assertThat(refused).isEmpty();
        // and each of the execution's events has its own number, from 1 with no gap
        assertThat(TestServices.query("SELECT count(*) = max(sequence) AND count(DISTINCT sequence) = count(*) "
                        + "FROM outbox_events WHERE tenant = '" + tenant + "' AND execution_id = '" + id + "'"))
                .isEqualTo("t");
    }

    @Test
    void fiftyConcurrentAppendersLoseNothing() throws Exception {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"id\":\"root\",\"type\":\"planning\",\"content\":\"root\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        int writers = 50;
        int each = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Callable<List<Integer>> task = () -> {
                start.await();
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    statuses.add(as(tenant)
                            .body("{\"id\":\"w" + writer + "-" + i + "\",\"type\":\"reasoning\","
                                    + "\"content\":\"c\",\"confidence\":0.5,\"parent_id\":\"root\"}")
                            .post("/api/v1/executions/{id}/thoughts", id)
                            .statusCode());
                    statuses.add(as(tenant)
                            .body("{\"role\":\"user\",\"content\":\"m" + writer + "-" + i + "\"}")
                            .post("/api/v1/executions/{id}/context/messages", id)
                            .statusCode());
                }
                return statuses;
            };
            results.add(pool.submit(task));
        }
        start.countDown();
        for (Future<List<Integer>> f : results) {
            assertThat(f.get()).containsOnly(201);
        }
        pool.shutdown();

        JsonNode state = new ObjectMapper()
                .readTree(as(tenant).get("/api/v1/executions/{id}/state", id).asString());
        JsonNode steps = state.get("thought_chain").get("steps");
        assertThat(steps).hasSize(1 + writers * each);
        Set<String> children = new HashSet<>();
        steps.get(0).get("children").forEach(c -> children.add(c.asText()));
        assertThat(children).hasSize(writers * each);
        assertThat(state.get("context").get("messages")).hasSize(writers * each);
        // every writer's own appends keep their relative order
        for (int w = 0; w < writers; w++) {
            List<String> mine = new ArrayList<>();
            for (JsonNode s : steps) {
                if (s.get("id").asText().startsWith("w" + w + "-")) {
                    mine.add(s.get("id").asText());
                }
            }
            assertThat(mine).containsExactly("w" + w + "-0", "w" + w + "-1", "w" + w + "-2", "w" + w + "-3");
        }
        // version = 1 (create) + 1 (root) + every append
        assertThat(as(tenant).get("/api/v1/executions/{id}", id).header("ETag"))
                .isEqualTo("\"" + (2 + 2 * writers * each) + "\"");
    }

    /**
     * Progress patches are a compare-and-set on the version (read, merge, write if unchanged): writers of different
     * counters racing on one execution lose none of each other's values, and a counter ends at the largest value any
     * accepted patch gave it.
     */
    @Test
    void concurrentProgressPatchesLoseNoCounter() throws Exception {
        String tenant = newTenant();
        String id = newExecution(tenant);
        String[] counters = {"tokens_used", "duration_ms", "iterations_completed", "step_number"};
        int writers = 16;
        int each = 10;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<List<long[]>>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            results.add(pool.submit(() -> {
                start.await();
                List<long[]> accepted = new ArrayList<>(); // {counter, value}
                for (int i = 1; i <= each; i++) {
                    long value = (long) i * writers + writer;
                    int counter = writer % counters.length;
                    int status = as(tenant)
                            .body("{\"" + counters[counter] + "\":" + value + "}")
                            .patch("/api/v1/executions/{id}/progress", id)
                            .statusCode();
                    assertThat(status)
                            .as("a patch is applied or goes backwards")
                            .isIn(200, 409);
                    if (status == 200) {
                        accepted.add(new long[] {counter, value});
                    }
                }
                return accepted;
            }));
        }
        start.countDown();
        long[] max = new long[counters.length];
        int applied = 0;
        for (Future<List<long[]>> f : results) {
            for (long[] a : f.get()) {
                max[(int) a[0]] = Math.max(max[(int) a[0]], a[1]);
                applied++;
            }
        }
        pool.shutdown();
        JsonNode execution = new ObjectMapper()
                .readTree(as(tenant).get("/api/v1/executions/{id}", id).asString());
        for (int c = 0; c < counters.length; c++) {
            assertThat(execution.get("progress").get(counters[c]).asLong())
                    .as(counters[c])
                    .isEqualTo(max[c]);
        }
        // version = 1 (create) + every applied patch: none was applied twice or lost
        assertThat(as(tenant).get("/api/v1/executions/{id}", id).header("ETag")).isEqualTo("\"" + (1 + applied) + "\"");
    }
}
