package dev.cafstate.checkpoint;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.support.CafDocs;
import dev.cafstate.support.JsonTrees;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The catalog's rows are shared by the checkpoints of an execution: a checkpoint writes only the thought and tool-call
 * rows that are new or changed since the execution's previous one, and each checkpoint still lists exactly the rows
 * of its own document, whatever order its checkpoints were made, pushed or deleted in.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class CatalogSharingTest {

    static long count(String sql, String tenant, String execution) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "postgres");
        try (Connection c =
                        DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestServices.DATABASE, p);
                var s = c.prepareStatement(sql)) {
            s.setString(1, tenant);
            s.setString(2, execution);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static long thoughtRows(String tenant, String execution) throws Exception {
        return count("SELECT count(*) FROM catalog_thoughts WHERE tenant = ? AND execution_id = ?", tenant, execution);
    }

    static long callRows(String tenant, String execution) throws Exception {
        return count(
                "SELECT count(*) FROM catalog_tool_calls WHERE tenant = ? AND execution_id = ?", tenant, execution);
    }

    static void thought(String tenant, String execution, String id, String content) {
        as(tenant)
                .body("{\"id\":\"" + id + "\",\"type\":\"reasoning\",\"content\":\"" + content
                        + "\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", execution)
                .then()
                .statusCode(201);
    }

    static String checkpoint(String tenant, String execution) {
        return as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", execution)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** Every page of a checkpoint's thoughts (or tool calls), as (id, content or status) pairs in order. */
    static List<String> listed(String tenant, String checkpoint, String what) {
        List<String> all = new ArrayList<>();
        String cursor = null;
        do {
            var request = as(tenant).queryParam("limit", 7);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/checkpoints/{id}/" + what, checkpoint)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            for (Object item : page.getList("items")) {
                var m = (Map<?, ?>) item;
                all.add(m.get("id") + "=" + (what.equals("thoughts") ? m.get("content") : m.get("status")));
            }
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        return all;
    }

    /** The same pairs, read from the checkpoint's stored document. */
    static List<String> documented(String tenant, String checkpoint, String what) {
        JsonNode doc = JsonTrees.read(as(tenant)
                .get("/api/v1/checkpoints/{id}/document", checkpoint)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray());
        List<String> all = new ArrayList<>();
        if (what.equals("thoughts")) {
            doc.at("/snapshot/thought_chain/steps")
                    .forEach(s -> all.add(
                            s.get("id").asText() + "=" + s.get("content").asText()));
        } else {
            for (String list : List.of("completed", "failed")) {
                doc.at("/snapshot/tool_state/" + list)
                        .forEach(t -> all.add(
                                t.get("id").asText() + "=" + t.get("status").asText()));
            }
        }
        return all;
    }

    static void sameAsDocument(String tenant, String checkpoint) {
        assertThat(listed(tenant, checkpoint, "thoughts")).isEqualTo(documented(tenant, checkpoint, "thoughts"));
        assertThat(listed(tenant, checkpoint, "tool-calls")).isEqualTo(documented(tenant, checkpoint, "tool-calls"));
    }

    @Test
    void aRunOfManyCheckpointsStoresEachRowOncePerVersion() throws Exception {
        String tenant = newTenant();
        String e = as(tenant)
                .body("{\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        List<String> checkpoints = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            thought(tenant, e, "s" + i, "step " + i);
        }
        checkpoints.add(checkpoint(tenant, e));
        for (int round = 1; round < 10; round++) {
            thought(tenant, e, "s" + (18 + 2 * round), "step " + (18 + 2 * round));
            thought(tenant, e, "s" + (19 + 2 * round), "step " + (19 + 2 * round));
            if (round == 5) {
                // a changed step is a new version from this checkpoint on; the earlier ones keep the old one
                as(tenant)
                        .body("{\"content\":\"step 3, revised\"}")
                        .patch("/api/v1/executions/{id}/thoughts/s3", e)
                        .then()
                        .statusCode(200);
                as(tenant)
                        .body("{\"id\":\"call-1\",\"tool_id\":\"read_file\",\"arguments\":{\"path\":\"a\"}}")
                        .post("/api/v1/executions/{id}/tool-calls", e)
                        .then()
                        .statusCode(201);
                as(tenant)
                        .body("{\"status\":\"completed\",\"result\":\"ok\"}")
                        .patch("/api/v1/executions/{id}/tool-calls/call-1", e)
                        .then()
                        .statusCode(200);
            }
            checkpoints.add(checkpoint(tenant, e));
        }
        // 38 steps and one revision, not the 290 rows of ten full copies; one tool call once
        assertThat(thoughtRows(tenant, e)).isEqualTo(39);
        assertThat(callRows(tenant, e)).isEqualTo(1);
        for (String c : checkpoints) {
            sameAsDocument(tenant, c);
        }
        assertThat(listed(tenant, checkpoints.get(4), "thoughts")).contains("s3=step 3");
        assertThat(listed(tenant, checkpoints.get(5), "thoughts")).contains("s3=step 3, revised");

        // queries see each checkpoint's own rows: the old s3 text only in checkpoints 0-4, the tool in 5-9
        assertThat(as(tenant)
                        .queryParam("execution_id", e)
                        .queryParam("tool_id", "read_file")
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items.id", String.class))
                .containsExactlyInAnyOrderElementsOf(checkpoints.subList(5, 10));
        assertThat(as(tenant)
                        .queryParam("execution_id", e)
                        .queryParam("q", "revised")
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items.id", String.class))
                .containsExactlyInAnyOrderElementsOf(checkpoints.subList(5, 10));

        // deleting checkpoints removes exactly the rows no remaining checkpoint contains
        as(tenant).delete("/api/v1/checkpoints/{id}", checkpoints.get(9)).then().statusCode(204);
        assertThat(thoughtRows(tenant, e)).isEqualTo(37);
        for (int i = 0; i < 5; i++) {
            as(tenant)
                    .delete("/api/v1/checkpoints/{id}", checkpoints.get(i))
                    .then()
                    .statusCode(204);
        }
        // the first version of s3 was only in checkpoints 0-4
        assertThat(thoughtRows(tenant, e)).isEqualTo(36);
        for (String c : checkpoints.subList(5, 9)) {
            sameAsDocument(tenant, c);
        }
        // a new checkpoint after deletions shares what is still there, and writes what is not
        thought(tenant, e, "late", "after the deletions");
        String after = checkpoint(tenant, e);
        sameAsDocument(tenant, after);
        assertThat(thoughtRows(tenant, e)).isEqualTo(39);
        for (String c : checkpoints.subList(5, 9)) {
            as(tenant).delete("/api/v1/checkpoints/{id}", c).then().statusCode(204);
        }
        as(tenant).delete("/api/v1/checkpoints/{id}", after).then().statusCode(204);
        assertThat(thoughtRows(tenant, e)).isZero();
        assertThat(callRows(tenant, e)).isZero();
    }

    @Test
    void pushedDocumentsInAnyOrderEachListTheirOwnRows() {
        String tenant = newTenant();
        // the chain grows a, a+b, a+b'+c, and arrives newest first, then the oldest, then one that drops a step
        ObjectNode one = CafDocs.checkpoint("p1", "pushed")
                .step("a", "planning", "first", 0.5)
                .build();
        ObjectNode two = CafDocs.checkpoint("p2", "pushed")
                .step("a", "planning", "first", 0.5)
                .step("b", "reflection", "second", 0.4)
                .tool("k1", "bash", true)
                .build();
        ObjectNode three = CafDocs.checkpoint("p3", "pushed")
                .step("a", "planning", "first", 0.5)
                .step("b", "reflection", "second, changed", 0.4)
                .step("c", "decision", "third", 0.9)
                .tool("k1", "bash", true)
                .tool("k2", "grep", false)
                .build();
        ObjectNode shorter = CafDocs.checkpoint("p4", "pushed")
                .step("a", "planning", "first", 0.5)
                .build();
        for (ObjectNode doc : List.of(three, one, two, shorter)) {
            as(tenant).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(201);
        }
        for (String id : List.of("p1", "p2", "p3", "p4")) {
            sameAsDocument(tenant, id);
        }
        assertThat(as(tenant)
                        .queryParam("tool_id", "grep")
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items.id", String.class))
                .containsExactly("p3");
        assertThat(as(tenant)
                        .queryParam("thought_type", "reflection")
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items.id", String.class))
                .containsExactlyInAnyOrder("p2", "p3");
    }

    @Test
    void concurrentCheckpointsOfOneExecutionEachKeepTheirRows() throws Exception {
        String tenant = newTenant();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            CafDocs doc = CafDocs.checkpoint("race-" + i, "raced");
            for (int s = 0; s <= i; s++) {
                doc.step("s" + s, "planning", s == i ? "last of " + i : "step " + s, 0.5);
            }
            String body = doc.toString();
            calls.add(threads.submit(
                    () -> as(tenant).body(body).post("/api/v1/checkpoints").statusCode()));
        }
        for (Future<Integer> call : calls) {
            assertThat(call.get()).isEqualTo(201);
        }
        threads.shutdown();
        for (int i = 0; i < 16; i++) {
            sameAsDocument(tenant, "race-" + i);
        }
        // retention (the test profile keeps each execution's newest 3) keeps exactly their rows
        operator(tenant).post("/api/v1/maintenance/retention").then().statusCode(200);
        List<String> kept = as(tenant)
                .queryParam("execution_id", "raced")
                .get("/api/v1/checkpoints")
                .jsonPath()
                .getList("items.id", String.class);
        assertThat(kept).hasSize(3);
        for (String id : kept) {
            sameAsDocument(tenant, id);
        }
        // exactly the rows a remaining checkpoint needs: none is left that no remaining checkpoint contains
        assertThat(count(
                        "SELECT count(*) FROM catalog_thoughts t WHERE tenant = ? AND execution_id = ? AND NOT EXISTS ("
                                + "SELECT 1 FROM checkpoints c WHERE c.tenant = t.tenant AND c.execution_id = "
                                + "t.execution_id AND c.cseq BETWEEN t.from_cseq AND COALESCE(t.to_cseq, c.cseq))",
                        tenant,
                        "raced"))
                .isZero();
        assertThat(thoughtRows(tenant, "raced")).isLessThan(136); // the 16 documents' 136 steps
    }

    /** Every page of GET /checkpoints with these filters, 2 at a time. */
    static List<String> found(String tenant, String query) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = as(tenant)
                    .get("/api/v1/checkpoints?limit=2&" + query + (cursor == null ? "" : "&cursor=" + cursor))
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            ids.addAll(page.getList("items.id", String.class));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        return ids;
    }

    @Test
    void filtersMatchingFewRowsAndFiltersMatchingManyFindTheSameCheckpoints() {
        // more than 500 matching rows: the query scans the checkpoints; a handful: the rows drive it (CheckpointSearch)
        String tenant = newTenant();
        for (int i = 0; i < 5; i++) {
            CafDocs doc = CafDocs.checkpoint("many-" + i, "many");
            for (int s = 0; s < 120 * (i + 1); s++) {
                doc.step("s" + s, "observation", "an ordinary line " + s, 0.5);
            }
            doc.step("odd", "decision", i % 2 == 0 ? "a needle in the haystack" : "nothing to see", 0.9);
            ObjectNode tree = doc.build();
            tree.put("timestamp", 1_700_000_000_000L + i);
            as(tenant).body(tree.toString()).post("/api/v1/checkpoints").then().statusCode(201);
        }
        // 120 + 240 + ... rows shared: 600 observation rows in all, so the type filter scans
        assertThat(found(tenant, "thought_type=observation"))
                .containsExactly("many-4", "many-3", "many-2", "many-1", "many-0");
        assertThat(found(tenant, "q=needle")).containsExactly("many-4", "many-2", "many-0");
        // the thought filters apply to one thought: a decision that mentions the needle, not an observation that does
        assertThat(found(tenant, "q=needle&thought_type=decision")).containsExactly("many-4", "many-2", "many-0");
        assertThat(found(tenant, "q=needle&thought_type=observation")).isEmpty();
        assertThat(found(tenant, "thought_type=decision&min_confidence=0.8")).hasSize(5);
        assertThat(found(tenant, "q=haystack&reason=auto")).isEmpty();
    }

    @Test
    void aRestoreInPlaceRewritesOnlyTheStepsThatDiffer() throws Exception {
        String tenant = newTenant();
        String e = as(tenant)
                .body("{\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        for (int i = 0; i < 30; i++) {
            thought(tenant, e, "s" + i, "step " + i);
        }
        String before = checkpoint(tenant, e);
        for (int i = 30; i < 35; i++) {
            thought(tenant, e, "s" + i, "step " + i);
        }
        as(tenant)
                .body("{\"content\":\"step 7, revised\"}")
                .patch("/api/v1/executions/{id}/thoughts/s7", e)
                .then()
                .statusCode(200);
        as(tenant)
                .body("{}")
                .post("/api/v1/checkpoints/{id}/restore", before)
                .then()
                .statusCode(200);
        assertThat(count("SELECT count(*) FROM runtime_thoughts WHERE tenant = ? AND execution_id = ?", tenant, e))
                .isEqualTo(30);
        JsonNode state = JsonTrees.read(as(tenant)
                .get("/api/v1/executions/{id}/state", e)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray());
        assertThat(state.at("/thought_chain/steps/7/content").asText()).isEqualTo("step 7");
        assertThat(state.at("/thought_chain/steps").size()).isEqualTo(30);
        // s7 and the 5 later steps differ from the checkpoint: rewritten or gone; the 29 others stay as the appends
        // wrote them (each append its own transaction), so only s7 carries the restore's transaction id
        assertThat(count(
                        "SELECT count(*) FROM runtime_thoughts t WHERE tenant = ? AND execution_id = ? AND xmin = "
                                + "(SELECT xmin FROM runtime_thoughts WHERE tenant = t.tenant AND execution_id = "
                                + "t.execution_id AND id = 's7')",
                        tenant,
                        e))
                .isEqualTo(1);
    }
}
