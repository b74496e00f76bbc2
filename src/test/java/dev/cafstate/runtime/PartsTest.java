package dev.cafstate.runtime;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.util.List;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(TestServices.class)
class PartsTest {

    @Test
    void messagesAppendInOrder() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"role\":\"system\",\"content\":\"be brief\"}")
                .post("/api/v1/executions/{id}/context/messages", id)
                .then()
                .statusCode(201)
                .body("messages[0].timestamp", Matchers.notNullValue());
        as(tenant)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"timestamp\":5},"
                        + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"tc\"}]}]}")
                .post("/api/v1/executions/{id}/context/messages", id)
                .then()
                .statusCode(201);
        as(tenant)
                .get("/api/v1/executions/{id}/context", id)
                .then()
                .statusCode(200)
                .body("messages.role", equalTo(List.of("system", "user", "assistant")))
                .body("messages[1].timestamp", equalTo(5))
                .body("messages[2].tool_calls[0].id", equalTo("tc"));
    }

    @Test
    void variablesAreMergePatched() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .contentType("application/merge-patch+json")
                .body("{\"task\":\"t\",\"nested\":{\"a\":1,\"b\":2},\"gone\":true}")
                .patch("/api/v1/executions/{id}/context/variables", id)
                .then()
                .statusCode(204);
        as(tenant)
                .contentType("application/merge-patch+json")
                .body("{\"nested\":{\"a\":null,\"c\":3},\"gone\":null}")
                .patch("/api/v1/executions/{id}/context/variables", id)
                .then()
                .statusCode(204);
        as(tenant)
                .get("/api/v1/executions/{id}/context", id)
                .then()
                .body("variables.task", equalTo("t"))
                .body("variables.nested.b", equalTo(2))
                .body("variables.nested.c", equalTo(3))
                .body("variables.nested.a", equalTo(null))
                .body("variables.containsKey('gone')", equalTo(false));
        as(tenant)
                .body("[1,2]")
                .patch("/api/v1/executions/{id}/context/variables", id)
                .then()
                .statusCode(422);
    }

    @Test
    void memoryEntriesByKey() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"value\":{\"name\":\"demo\"},\"importance\":0.5}")
                .put("/api/v1/executions/{id}/context/memory/repo", id)
                .then()
                .statusCode(200)
                .body("key", equalTo("repo"));
        as(tenant)
                .body("{\"value\":\"x\",\"importance\":0.2,\"timestamp\":7}")
                .put("/api/v1/executions/{id}/context/memory/second", id)
                .then()
                .statusCode(200);
        as(tenant)
                .body("{\"value\":[1],\"importance\":0.9}")
                .put("/api/v1/executions/{id}/context/memory/repo", id)
                .then()
                .statusCode(200);
        as(tenant)
                .get("/api/v1/executions/{id}/context", id)
                .then()
                .body("memory.key", equalTo(List.of("repo", "second")))
                .body("memory[0].value", equalTo(List.of(1)))
                .body("memory[0].importance", equalTo(0.9f));
        as(tenant)
                .delete("/api/v1/executions/{id}/context/memory/second", id)
                .then()
                .statusCode(204);
        as(tenant)
                .delete("/api/v1/executions/{id}/context/memory/second", id)
                .then()
                .statusCode(404);
        as(tenant)
                .body("{\"value\":1,\"importance\":1.5}")
                .put("/api/v1/executions/{id}/context/memory/k", id)
                .then()
                .statusCode(422)
                .body("errors[0].field", equalTo("importance"));
    }

    @Test
    void toolCallsMoveBetweenListsAsCafDoes() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"id\":\"tc1\",\"tool_id\":\"read_file\",\"arguments\":{\"path\":\"a\"}}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(201)
                .body("status", equalTo("pending"));
        as(tenant)
                .body("{\"id\":\"tc2\",\"tool_id\":\"bash\",\"arguments\":{},\"status\":\"running\"}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(201);
        as(tenant)
                .body("{\"id\":\"tc3\",\"tool_id\":\"bash\",\"arguments\":{}}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(201);
        as(tenant)
                .get("/api/v1/executions/{id}/tool-state", id)
                .then()
                .body("pending", equalTo(List.of("tc1", "tc3")))
                .body("running", equalTo(List.of("tc2")))
                .body("last_tool_call_id", equalTo("tc3"));
        as(tenant)
                .body("{\"status\":\"running\"}")
                .patch("/api/v1/executions/{id}/tool-calls/tc1", id)
                .then()
                .statusCode(200);
        as(tenant)
                .body("{\"status\":\"completed\",\"result\":{\"ok\":true},\"duration_ms\":3.5}")
                .patch("/api/v1/executions/{id}/tool-calls/tc1", id)
                .then()
                .statusCode(200)
                .body("status", equalTo("completed"));
        as(tenant)
                .body("{\"status\":\"failed\",\"error\":\"exit 1\"}")
                .patch("/api/v1/executions/{id}/tool-calls/tc2", id)
                .then()
                .statusCode(200);
        as(tenant)
                .get("/api/v1/executions/{id}/tool-state", id)
                .then()
                .body("pending", equalTo(List.of("tc3")))
                .body("running", hasSize(0))
                .body("completed[0].id", equalTo("tc1"))
                .body("completed[0].result.ok", equalTo(true))
                .body("completed[0].duration_ms", equalTo(3.5f))
                .body("failed[0].error", equalTo("exit 1"));
        as(tenant)
                .body("{\"status\":\"running\"}")
                .patch("/api/v1/executions/{id}/tool-calls/tc1", id)
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        as(tenant)
                .body("{\"status\":\"completed\"}")
                .patch("/api/v1/executions/{id}/tool-calls/nope", id)
                .then()
                .statusCode(404);
        as(tenant)
                .body("{\"id\":\"tc1\",\"tool_id\":\"again\",\"arguments\":{}}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(409);
        as(tenant)
                .body("{\"tool_id\":\"x\",\"arguments\":{},\"status\":\"completed\"}")
                .post("/api/v1/executions/{id}/tool-calls", id)
                .then()
                .statusCode(422);
    }

    @Test
    void progressNeverGoesBackwards() {
        String tenant = newTenant();
        String id = newExecution(tenant);
        as(tenant)
                .body("{\"step_number\":3,\"tokens_used\":100,\"duration_ms\":12.5,\"total_steps_estimate\":9}")
                .patch("/api/v1/executions/{id}/progress", id)
                .then()
                .statusCode(200)
                .body("step_number", equalTo(3))
                .body("iterations_completed", equalTo(0));
        as(tenant)
                .body("{\"tokens_used\":50}")
                .patch("/api/v1/executions/{id}/progress", id)
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        as(tenant)
                .body("{\"total_steps_estimate\":null,\"iterations_completed\":1}")
                .patch("/api/v1/executions/{id}/progress", id)
                .then()
                .statusCode(200)
                .body("containsKey('total_steps_estimate')", equalTo(false));
        as(tenant)
                .body("{\"step_number\":-1}")
                .patch("/api/v1/executions/{id}/progress", id)
                .then()
                .statusCode(422)
                .body("errors[0].field", equalTo("step_number"));
        as(tenant)
                .get("/api/v1/executions/{id}", id)
                .then()
                .body("progress.tokens_used", equalTo(100))
                .body("progress.step_number", equalTo(3));
    }
}
