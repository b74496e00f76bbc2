package dev.cafstate.events;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Server-Sent Events of an execution: history, live changes, and resumption with Last-Event-ID. */
@QuarkusTest
@WithTestResource(TestServices.class)
class EventStreamTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    record SseEvent(String id, String name, String data) {}

    /** Reads {@code count} events from the stream, then disconnects. */
    private CompletableFuture<List<SseEvent>> read(String tenant, String executionId, String lastEventId, int count) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + port + "/api/v1/executions/" + executionId + "/events"))
                        .header("Authorization", "Bearer " + token(tenant))
                        .header("Accept", "text/event-stream");
                if (lastEventId != null) {
                    request.header("Last-Event-ID", lastEventId);
                }
                HttpResponse<InputStream> response =
                        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(response.statusCode()).isEqualTo(200);
                List<SseEvent> events = new ArrayList<>();
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String id = null, name = null;
                    StringBuilder data = new StringBuilder();
                    String line;
                    while (events.size() < count && (line = reader.readLine()) != null) {
                        if (line.startsWith("id:")) {
                            id = line.substring(3).trim();
                        } else if (line.startsWith("event:")) {
                            name = line.substring(6).trim();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).trim());
                        } else if (line.isEmpty() && id != null) {
                            events.add(new SseEvent(id, name, data.toString()));
                            id = null;
                            name = null;
                            data.setLength(0);
                        }
                    }
                }
                return events;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void streamsHistoryThenLiveEventsAndResumesFromLastEventId() throws Exception {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"id\":\"one\",\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);

        CompletableFuture<List<SseEvent>> stream = read(tenant, id, null, 4);
        Thread.sleep(1500);
        as(tenant)
                .body("{\"id\":\"two\",\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"role\":\"user\",\"content\":\"hi\"}")
                .post("/api/v1/executions/{id}/context/messages", id)
                .then()
                .statusCode(201);
        List<SseEvent> events = stream.get(20, TimeUnit.SECONDS);
        assertThat(events)
                .extracting(SseEvent::name)
                .containsExactly("agent.started", "thought.created", "thought.created", "context.updated");
        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(events.get(2).data())
                        .get("data")
                        .get("thought")
                        .get("id")
                        .asText())
                .isEqualTo("two");
        assertThat(Long.parseLong(events.get(1).id()))
                .isGreaterThan(Long.parseLong(events.get(0).id()));

        List<SseEvent> resumed = read(tenant, id, events.get(1).id(), 2).get(20, TimeUnit.SECONDS);
        assertThat(resumed)
                .extracting(SseEvent::id)
                .containsExactly(events.get(2).id(), events.get(3).id());
    }

    @Test
    void anotherTenantCannotWatch() {
        String id = newExecution(newTenant());
        as(newTenant())
                .accept("text/event-stream")
                .get("/api/v1/executions/{id}/events", id)
                .then()
                .statusCode(404);
    }
}
