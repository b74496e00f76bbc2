package dev.cafstate.events;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.support.BrokerTap;
import dev.cafstate.support.Metrics;
import dev.cafstate.support.Sse;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** Events reach the real RabbitMQ as CloudEvents, one per change, in order, and survive a broker outage. */
@QuarkusTest
@WithTestResource(TestServices.class)
class EventDeliveryTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void everyChangeEmitsExactlyOneCloudEventInOrder() throws Exception {
        String tenant = newTenant();
        try (BrokerTap tap = new BrokerTap("caf.events.test", tenant + ".#")) {
            String id = as(tenant)
                    .body("{\"id\":\"ev-1\",\"agent_id\":\"agent-x\"}")
                    .post("/api/v1/executions")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            as(tenant)
                    .body("{\"steps\":[{\"id\":\"a\",\"type\":\"planning\",\"content\":\"p\",\"confidence\":0.5},"
                            + "{\"id\":\"b\",\"type\":\"reasoning\",\"content\":\"r\","
                            + "\"confidence\":0.5,\"parent_id\":\"a\"}]}")
                    .post("/api/v1/executions/{id}/thoughts", id)
                    .then()
                    .statusCode(201);
            as(tenant)
                    .body("{\"content\":\"p2\"}")
                    .patch("/api/v1/executions/{id}/thoughts/a", id)
                    .then()
                    .statusCode(200);
            as(tenant)
                    .body("{\"role\":\"user\",\"content\":\"hi\"}")
                    .post("/api/v1/executions/{id}/context/messages", id)
                    .then()
                    .statusCode(201);
            as(tenant)
                    .body("{\"id\":\"t1\",\"tool_id\":\"bash\",\"arguments\":{}}")
                    .post("/api/v1/executions/{id}/tool-calls", id)
                    .then()
                    .statusCode(201);
            as(tenant)
                    .body("{\"status\":\"completed\",\"result\":1}")
                    .patch("/api/v1/executions/{id}/tool-calls/t1", id)
                    .then()
                    .statusCode(200);
            as(tenant)
                    .body("{\"step_number\":1}")
                    .patch("/api/v1/executions/{id}/progress", id)
                    .then()
                    .statusCode(200);
            as(tenant)
                    .body("{\"status\":\"paused\"}")
                    .patch("/api/v1/executions/{id}", id)
                    .then()
                    .statusCode(200);
            // refused changes emit nothing
            as(tenant)
                    .body("{\"status\":\"pending\"}")
                    .patch("/api/v1/executions/{id}", id)
                    .then()
                    .statusCode(409);
            as(tenant)
                    .body("{\"id\":\"c\",\"type\":\"planning\",\"content\":\"x\",\"confidence\":0.5,"
                            + "\"parent_id\":\"zz\"}")
                    .post("/api/v1/executions/{id}/thoughts", id)
                    .then()
                    .statusCode(422);

            List<String> expected = List.of(
                    "agent.started",
                    "thought.created",
                    "thought.created",
                    "thought.updated",
                    "context.updated",
                    "tool.called",
                    "tool.completed",
                    "progress.updated",
                    "agent.paused");
            await().atMost(Duration.ofSeconds(15)).until(() -> tap.received().size() >= expected.size());
            Thread.sleep(500);
            List<String> types = new ArrayList<>();
            for (BrokerTap.Received r : tap.received()) {
                JsonNode event = MAPPER.readTree(r.body());
                types.add(event.get("type").asText());
                assertThat(r.routingKey())
                        .isEqualTo(tenant + ".ev-1." + event.get("type").asText());
                assertThat(r.contentType()).isEqualTo("application/cloudevents+json");
                assertThat(r.messageId()).isEqualTo(event.get("id").asText());
                assertThat(event.get("specversion").asText()).isEqualTo("1.0");
                assertThat(event.get("source").asText()).isEqualTo("urn:caf-state:test");
                assertThat(event.get("subject").asText()).isEqualTo("ev-1");
                assertThat(event.get("datacontenttype").asText()).isEqualTo("application/json");
                assertThat(event.get("data").get("execution_id").asText()).isEqualTo("ev-1");
                assertThat(event.get("data").get("timestamp").isIntegralNumber())
                        .isTrue();
            }
            assertThat(types).containsExactlyElementsOf(expected);
            // each carries its number among the execution's events (CloudEvents sequence), from 1 with no gap
            for (int i = 0; i < expected.size(); i++) {
                assertThat(MAPPER.readTree(tap.received().get(i).body())
                                .get("sequence")
                                .asText())
                        .isEqualTo(String.format("%019d", i + 1));
            }
            JsonNode created = MAPPER.readTree(tap.received().get(2).body());
            assertThat(created.get("data").get("thought").get("id").asText()).isEqualTo("b");
            JsonNode started = MAPPER.readTree(tap.received().get(0).body());
            assertThat(started.get("data").get("agent_id").asText()).isEqualTo("agent-x");
        }
    }

    @Test
    void writesSucceedWhileTheBrokerIsDownAndEventsArriveInOrderAfterwards() throws Exception {
        String tenant = newTenant();
        try (BrokerTap tap = new BrokerTap("caf.events.test", tenant + ".#")) {
            String id = as(tenant)
                    .body("{\"id\":\"outage\",\"agent_id\":\"a\"}")
                    .post("/api/v1/executions")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            await().atMost(Duration.ofSeconds(15)).until(() -> tap.received().size() == 1);

            TestServices.broker().cut();
            try {
                for (int i = 0; i < 20; i++) {
                    as(tenant)
                            .body("{\"id\":\"s" + i + "\",\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                            .post("/api/v1/executions/{id}/thoughts", id)
                            .then()
                            .statusCode(201);
                }
                Thread.sleep(3000);
                assertThat(tap.received()).hasSize(1);
                // readiness tells the truth about delivery (the test profile: stalled after 2 s), and stays UP
                var ready = RestAssured.given().get("/q/health/ready");
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.jsonPath().getBoolean("checks.find { it.name == 'broker' }.data.delivering"))
                        .isFalse();
                assertThat(ready.jsonPath().getLong("checks.find { it.name == 'broker' }.data.outbox_backlog"))
                        .isGreaterThanOrEqualTo(20);
                assertThat(ready.jsonPath().getLong("checks.find { it.name == 'broker' }.data.oldest_pending_age_ms"))
                        .isGreaterThanOrEqualTo(2000);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> Metrics.gauge("caf_outbox_backlog") >= 20
                                && Metrics.gauge("caf_outbox_oldest_pending_age_seconds") >= 2);
            } finally {
                TestServices.broker().open();
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> RestAssured.given()
                            .get("/q/health/ready")
                            .jsonPath()
                            .getBoolean("checks.find { it.name == 'broker' }.data.delivering"));

            await().atMost(Duration.ofSeconds(60)).until(() -> distinctIds(tap).size() >= 21);
            List<String> stepIds = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            for (BrokerTap.Received r : tap.received()) {
                JsonNode event = MAPPER.readTree(r.body());
                if (seen.contains(event.get("id").asText())) {
                    continue; // at-least-once: consumers de-duplicate by id
                }
                seen.add(event.get("id").asText());
                if (event.get("type").asText().equals("thought.created")) {
                    stepIds.add(event.get("data").get("thought").get("id").asText());
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add("s" + i);
            }
            assertThat(stepIds).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void concurrentWritersOnOneExecutionGetEventNumbersWithNoGapOnTheBrokerAndTheStream() throws Exception {
        String tenant = newTenant();
        try (BrokerTap tap = new BrokerTap("caf.events.test", tenant + ".#")) {
            String id = newExecution(tenant);
            String other = newExecution(tenant); // its own numbers, from 1 as well
            int writers = 8;
            int each = 15;
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            String target = i % 5 == 0 ? other : id;
                            if (i % 3 == 0) {
                                as(tenant)
                                        .body("{\"role\":\"user\",\"content\":\"m\"}")
                                        .post("/api/v1/executions/{id}/context/messages", target)
                                        .then()
                                        .statusCode(201);
                            } else {
                                as(tenant)
                                        .body("{\"id\":\"w" + writer + "-" + i
                                                + "\",\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                                        .post("/api/v1/executions/{id}/thoughts", target)
                                        .then()
                                        .statusCode(201);
                            }
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            int total = 2 + writers * each; // two agent.started
            await().atMost(Duration.ofSeconds(30)).until(() -> distinctIds(tap).size() >= total);
            Map<String, List<Long>> numbers = new HashMap<>();
            Map<String, String> idOfNumber = new HashMap<>();
            for (BrokerTap.Received r : tap.received()) {
                JsonNode event = MAPPER.readTree(r.body());
                String key = event.get("subject").asText() + "/"
                        + event.get("sequence").asText();
                String previous = idOfNumber.putIfAbsent(key, event.get("id").asText());
                if (previous != null) { // a redelivery carries the same number and id
                    assertThat(previous).isEqualTo(event.get("id").asText());
                    continue;
                }
                numbers.computeIfAbsent(event.get("subject").asText(), k -> new ArrayList<>())
                        .add(Long.parseLong(event.get("sequence").asText()));
            }
            // delivered in number order, from 1, with no gap, per execution
            int onOther = 1 + writers * ((each + 4) / 5);
            assertThat(numbers.get(other)).containsExactlyElementsOf(oneTo(onOther));
            assertThat(numbers.get(id)).containsExactlyElementsOf(oneTo(total - onOther));
            // the stream numbers them the same
            List<Sse.Event> streamed = Sse.read(
                            port, "/api/v1/executions/" + id + "/events", token(tenant), null, total - onOther)
                    .get(30, TimeUnit.SECONDS);
            for (Sse.Event e : streamed) {
                assertThat(idOfNumber.get(id + "/" + e.id()))
                        .isEqualTo(MAPPER.readTree(e.data()).get("id").asText());
            }
            assertThat(streamed)
                    .extracting(e -> Long.parseLong(e.id()))
                    .containsExactlyElementsOf(oneTo(total - onOther));
        }
    }

    private static List<Long> oneTo(int n) {
        List<Long> list = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            list.add(i);
        }
        return list;
    }

    private static List<String> distinctIds(BrokerTap tap) throws Exception {
        List<String> ids = new ArrayList<>();
        for (BrokerTap.Received r : tap.received()) {
            String id = MAPPER.readTree(r.body()).get("id").asText();
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }
}
