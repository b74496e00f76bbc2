package dev.cafstate.events;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.support.Sse;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Server-Sent Events of an execution: history, live changes, and resumption with Last-Event-ID. */
@QuarkusTest
@WithTestResource(TestServices.class)
class EventStreamTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private CompletableFuture<List<Sse.Event>> read(String tenant, String executionId, String lastEventId, int count) {
        return Sse.read(port, "/api/v1/executions/" + executionId + "/events", token(tenant), lastEventId, count);
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

        CompletableFuture<List<Sse.Event>> stream = read(tenant, id, null, 4);
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
        List<Sse.Event> events = stream.get(20, TimeUnit.SECONDS);
        assertThat(events)
                .extracting(Sse.Event::name)
                .containsExactly("agent.started", "thought.created", "thought.created", "context.updated");
        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(events.get(2).data())
                        .get("data")
                        .get("thought")
                        .get("id")
                        .asText())
                .isEqualTo("two");
        // the SSE id is the event's CloudEvents sequence: its number among the execution's events, 19 digits
        assertThat(events)
                .extracting(Sse.Event::id)
                .containsExactly(
                        "0000000000000000001", "0000000000000000002", "0000000000000000003", "0000000000000000004");
        for (Sse.Event event : events) {
            assertThat(mapper.readTree(event.data()).get("sequence").asText()).isEqualTo(event.id());
        }

        List<Sse.Event> resumed = read(tenant, id, events.get(1).id(), 2).get(20, TimeUnit.SECONDS);
        assertThat(resumed)
                .extracting(Sse.Event::id)
                .containsExactly(events.get(2).id(), events.get(3).id());

        // an id given by a replica of the release before (the outbox-wide number of the second event) resumes there
        String legacy = TestServices.query("SELECT seq FROM outbox_events WHERE tenant = '" + tenant
                + "' AND execution_id = '" + id + "' AND sequence = 2");
        assertThat(legacy).hasSizeLessThan(19);
        assertThat(read(tenant, id, legacy, 2).get(20, TimeUnit.SECONDS))
                .extracting(Sse.Event::id)
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
