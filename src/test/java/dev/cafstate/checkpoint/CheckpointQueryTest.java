package dev.cafstate.checkpoint;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.util.ArrayList;
import java.util.List;

import org.assertj.core.api.Assertions;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.support.CafDocs;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(TestServices.class)
class CheckpointQueryTest {

    String tenant;

    @BeforeEach
    void seed() {
        tenant = newTenant();
        push(
                CafDocs.checkpoint("c1", "e1")
                        .step("a", "planning", "read the package manifest", 0.9)
                        .tool("t1", "read_file", true)
                        .build(),
                1000,
                "step_complete");
        push(
                CafDocs.checkpoint("c2", "e1")
                        .step("a", "planning", "read the package manifest", 0.9)
                        .step("b", "reflection", "the build failed with an error", 0.2)
                        .tool("t1", "read_file", true)
                        .tool("t2", "bash", false)
                        .build(),
                2000,
                "tool_error");
        push(
                CafDocs.checkpoint("c3", "e2")
                        .step("x", "decision", "ship the release", 0.7)
                        .build(),
                3000,
                "manual");
    }

    private void push(ObjectNode doc, long timestamp, String reason) {
        doc.put("timestamp", timestamp);
        doc.with("metadata").put("checkpoint_reason", reason);
        as(tenant).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(201);
    }

    private List<String> ids(String... params) {
        var request = as(tenant);
        for (int i = 0; i < params.length; i += 2) {
            request = request.queryParam(params[i], params[i + 1]);
        }
        return request.get("/api/v1/checkpoints")
                .then()
                .statusCode(200)
                .extract()
                .path("items.id");
    }

    @Test
    void filtersAndNewestFirst() {
        Assertions.assertThat(ids()).containsExactly("c3", "c2", "c1");
        Assertions.assertThat(ids("execution_id", "e1")).containsExactly("c2", "c1");
        Assertions.assertThat(ids("agent_id", "agent-docs")).hasSize(3);
        Assertions.assertThat(ids("reason", "tool_error")).containsExactly("c2");
        Assertions.assertThat(ids("tool_id", "read_file")).containsExactly("c2", "c1");
        Assertions.assertThat(ids("tool_id", "bash")).containsExactly("c2");
        Assertions.assertThat(ids("thought_type", "reflection")).containsExactly("c2");
        Assertions.assertThat(ids("thought_type", "planning", "min_confidence", "0.95"))
                .isEmpty();
        Assertions.assertThat(ids("max_confidence", "0.3")).containsExactly("c2");
        Assertions.assertThat(ids("min_confidence", "0.6", "max_confidence", "0.8"))
                .containsExactly("c3");
        Assertions.assertThat(ids("q", "manifest")).containsExactly("c2", "c1");
        Assertions.assertThat(ids("q", "build failed")).containsExactly("c2");
        Assertions.assertThat(ids("from", "1500", "to", "2500")).containsExactly("c2");
        as(tenant)
                .queryParam("reason", "whim")
                .get("/api/v1/checkpoints")
                .then()
                .statusCode(400);
        as(newTenant()).get("/api/v1/checkpoints").then().body("items", hasSize(0));
    }

    @Test
    void pagesWithACursor() {
        String cursor = as(tenant)
                .queryParam("limit", 2)
                .get("/api/v1/checkpoints")
                .then()
                .body("items.id", equalTo(List.of("c3", "c2")))
                .extract()
                .path("next_cursor");
        as(tenant)
                .queryParam("limit", 2)
                .queryParam("cursor", cursor)
                .get("/api/v1/checkpoints")
                .then()
                .body("items.id", equalTo(List.of("c1")))
                .body("next_cursor", equalTo(null));
    }

    @Test
    void pagesThroughAToolFilter() {
        String cursor = as(tenant)
                .queryParam("tool_id", "read_file")
                .queryParam("limit", 1)
                .get("/api/v1/checkpoints")
                .then()
                .body("items.id", equalTo(List.of("c2")))
                .extract()
                .path("next_cursor");
        as(tenant)
                .queryParam("tool_id", "read_file")
                .queryParam("limit", 1)
                .queryParam("cursor", cursor)
                .get("/api/v1/checkpoints")
                .then()
                .body("items.id", equalTo(List.of("c1")))
                .body("next_cursor", equalTo(null));
        as(tenant)
                .queryParam("tool_id", "read_file")
                .queryParam("reason", "step_complete")
                .get("/api/v1/checkpoints")
                .then()
                .body("items.id", equalTo(List.of("c1")));
    }

    @Test
    void summaryThoughtsAndToolCalls() {
        as(tenant)
                .get("/api/v1/checkpoints/c2")
                .then()
                .statusCode(200)
                .body("execution_id", equalTo("e1"))
                .body("counts.steps", equalTo(2))
                .body("counts.tool_calls", equalTo(2))
                .body("reason", equalTo("tool_error"));
        as(tenant).get("/api/v1/checkpoints/c2/thoughts").then().body("items.id", equalTo(List.of("a", "b")));
        as(tenant)
                .queryParam("type", "reflection")
                .get("/api/v1/checkpoints/c2/thoughts")
                .then()
                .body("items.id", equalTo(List.of("b")));
        as(tenant)
                .get("/api/v1/checkpoints/c2/tool-calls")
                .then()
                .body("items.tool_id", equalTo(List.of("read_file", "bash")));
        as(tenant)
                .queryParam("status", "failed")
                .get("/api/v1/checkpoints/c2/tool-calls")
                .then()
                .body("items.id", equalTo(List.of("t2")))
                .body("items[0].error", equalTo("exit 1"));
        as(newTenant()).get("/api/v1/checkpoints/c2").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void filteredThoughtAndToolCallPagesFollowTheirCursors() {
        // matches sit at positions 1, 3 and 5: the next page starts after the last one shown, not after `limit` rows
        var doc = CafDocs.checkpoint("paged", "e-paged");
        for (int i = 1; i <= 6; i++) {
            doc.step("s" + i, i % 2 == 1 ? "planning" : "decision", "step " + i, 0.5);
            doc.tool("t" + i, i % 2 == 1 ? "grep" : "bash", true);
        }
        as(tenant).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(201);
        assertThat(pages("/api/v1/checkpoints/paged/thoughts", "type", "planning", "items.id"))
                .containsExactly("s1", "s3", "s5");
        assertThat(pages("/api/v1/checkpoints/paged/tool-calls", "tool_id", "grep", "items.id"))
                .containsExactly("t1", "t3", "t5");
    }

    /** Every item of a filtered list, one per page, following next_cursor to the end. */
    private List<String> pages(String path, String filter, String value, String items) {
        List<String> all = new ArrayList<>();
        String cursor = null;
        do {
            var request = as(tenant).queryParam(filter, value).queryParam("limit", 1);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var page = request.get(path).then().statusCode(200).extract();
            all.addAll(page.<List<String>>path(items));
            cursor = page.path("next_cursor");
        } while (cursor != null && all.size() < 10);
        return all;
    }

    @Test
    void diffInCafShape() {
        as(tenant)
                .queryParam("against", "c1")
                .get("/api/v1/checkpoints/c2/diff")
                .then()
                .statusCode(200)
                .body("from_checkpoint_id", equalTo("c1"))
                .body("thoughts_added", equalTo(List.of("b")))
                .body("tool_calls_added", equalTo(List.of("t2")))
                .body("changes.'metadata.checkpoint_reason'.before", equalTo("step_complete"))
                .body("changes.'metadata.checkpoint_reason'.after", equalTo("tool_error"))
                .body("changes.'snapshot.thought_chain.current_step_id'.after", equalTo("b"))
                .body("changes.keySet()", Matchers.hasSize(4))
                .body("changes.'snapshot.tool_state.failed.length'.after", equalTo(1))
                .body("summary", equalTo("1 thought(s) added, 1 tool call(s) added, 4 field(s) changed"));
        as(tenant).get("/api/v1/checkpoints/c2/diff").then().statusCode(400);
        as(tenant)
                .queryParam("against", "nope")
                .get("/api/v1/checkpoints/c2/diff")
                .then()
                .statusCode(404);
    }
}
