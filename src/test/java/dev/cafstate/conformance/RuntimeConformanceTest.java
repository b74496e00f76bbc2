package dev.cafstate.conformance;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.support.Api;
import dev.cafstate.support.CafDocs;
import dev.cafstate.support.CafRules;
import dev.cafstate.support.JsonTrees;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * CAF's rules through the runtime API: every body member of the wrong JSON type, out of range, or
 * {@code null} where CAF refuses it is a 422 naming its path (400 for malformed JSON), and changes nothing; the
 * values CAF accepts (nulls in {@code any} members, the largest integers, unicode beyond the BMP, member order) are
 * kept exactly, through a checkpoint, a push of that checkpoint, and a restore.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RuntimeConformanceTest {

    static final String TENANT = newTenant();
    static final String STEP = "{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5";

    @Inject
    ObjectMapper mapper;

    String execution;
    String checkpoint;
    String etag;
    String state;

    /** A request that must be refused: method, path under the execution (or absolute), body, status, field. */
    record Refusal(String method, String path, String body, int status, String field) {

        @Override
        public String toString() {
            return method + " " + path + " " + (body.length() > 70 ? body.substring(0, 70) : body);
        }
    }

    static Refusal bad(String method, String path, String body, String field) {
        return new Refusal(method, path, body, 422, field);
    }

    static String nested(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                bad("POST", "thoughts", STEP.replace("0.5", "\"0.5\"") + "}", "confidence"),
                bad("POST", "thoughts", "{\"type\":\"planning\",\"content\":123,\"confidence\":0.5}", "content"),
                bad("POST", "thoughts", STEP + ",\"timestamp\":\"1\"}", "timestamp"),
                bad("POST", "thoughts", STEP + ",\"timestamp\":9007199254740992}", "timestamp"),
                bad("POST", "thoughts", STEP + ",\"children\":[1]}", "children[0]"),
                bad("POST", "thoughts", STEP + ",\"metadata\":[1]}", "metadata"),
                bad("POST", "thoughts", STEP + ",\"metadata\":null}", "metadata"),
                bad("POST", "thoughts", STEP + ",\"reasoning\":null}", "reasoning"),
                bad("POST", "thoughts", STEP + ",\"parent_id\":null}", "parent_id"),
                bad("POST", "thoughts", STEP + ",\"id\":123}", "id"),
                bad("POST", "thoughts", STEP + ",\"id\":\"\"}", "id"),
                bad("POST", "thoughts", STEP.replace("planning", "thinking") + "}", "type"),
                bad("POST", "thoughts", STEP.replace("0.5", "1.5") + "}", "confidence"),
                bad(
                        "POST",
                        "thoughts",
                        STEP + ",\"alternatives\":[{\"option\":1,\"reason_rejected\":\"r\"}]}",
                        "alternatives[0].option"),
                bad(
                        "POST",
                        "thoughts",
                        "{\"steps\":[" + STEP + "}," + STEP.replace("0.5", "\"1\"") + "}]}",
                        "steps[1].confidence"),
                bad("POST", "thoughts", STEP.replace("\"c\"", "\"a\\u0000b\"") + "}", "content"),
                bad("POST", "thoughts", STEP.replace("\"c\"", "\"sliced \\ud83d\"") + "}", "content"),
                new Refusal("POST", "thoughts", STEP + ",\"type\":\"reasoning\"}", 400, null),
                bad("POST", "context/messages", "{\"role\":\"user\",\"content\":123}", "content"),
                bad("POST", "context/messages", "{\"role\":\"bot\",\"content\":\"x\"}", "role"),
                bad(
                        "POST",
                        "context/messages",
                        "{\"role\":\"user\",\"content\":\"x\",\"timestamp\":null}",
                        "timestamp"),
                bad(
                        "POST",
                        "context/messages",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"user\"}]}",
                        "messages[1].content"),
                bad("POST", "context/messages", "{\"role\":\"user\",\"content\":\"\\udfff\"}", "content"),
                bad("PATCH", "context/variables", "[]", "body"),
                bad("PATCH", "context/variables", "{\"k\\u0000\":1}", "k\u0000"),
                bad("PATCH", "context/variables", nested(200), "body"),
                bad("PUT", "context/memory/k", "{\"value\":1,\"importance\":\"0.5\"}", "importance"),
                bad("PUT", "context/memory/k", "{\"value\":1}", "importance"),
                bad("PUT", "context/memory/k", "{\"value\":1,\"importance\":0.5,\"timestamp\":\"1\"}", "timestamp"),
                bad("PUT", "context/memory/k", "{\"value\":\"\\u0000\",\"importance\":0.5}", "value"),
                new Refusal("PUT", "context/memory/" + "k".repeat(1025), "{\"importance\":0.5}", 400, "key"),
                bad("POST", "tool-calls", "{\"tool_id\":7,\"arguments\":{}}", "tool_id"),
                bad("POST", "tool-calls", "{\"tool_id\":\"t\",\"arguments\":[]}", "arguments"),
                bad("POST", "tool-calls", "{\"id\":123,\"tool_id\":\"t\",\"arguments\":{}}", "id"),
                bad("POST", "tool-calls", "{\"tool_id\":\"t\",\"arguments\":{},\"status\":\"completed\"}", "status"),
                bad("POST", "tool-calls", "{\"tool_id\":\"t\"}", "arguments"),
                bad("PATCH", "tool-calls/tc-open", "{\"status\":\"done\"}", "status"),
                bad("PATCH", "tool-calls/tc-open", "{\"status\":\"completed\",\"error\":5}", "error"),
                bad("PATCH", "tool-calls/tc-open", "{\"status\":\"completed\",\"duration_ms\":\"3\"}", "duration_ms"),
                bad("PATCH", "progress", "{\"step_number\":\"5\"}", "step_number"),
                bad("PATCH", "progress", "{\"step_number\":1.5}", "step_number"),
                bad("PATCH", "progress", "{\"step_number\":9007199254740992}", "step_number"),
                bad("PATCH", "progress", "{\"total_steps_estimate\":0}", "total_steps_estimate"),
                bad("PATCH", "progress", "{\"tokens_used\":-1}", "tokens_used"),
                bad("PATCH", "progress", "{\"duration_ms\":\"1\"}", "duration_ms"),
                bad("PATCH", "progress", "{\"iterations_completed\":1e400}", "iterations_completed"),
                bad("PATCH", "thoughts/s-1", "{\"confidence\":\"0.7\"}", "confidence"),
                bad("PATCH", "thoughts/s-1", "{\"content\":null}", "content"),
                bad("PATCH", "thoughts/s-1", "{\"metadata\":[1]}", "metadata"),
                bad("PATCH", "", "{\"status\":5}", "status"),
                bad("PATCH", "", "{\"metadata\":[]}", "metadata"),
                new Refusal("PATCH", "", "{\"status\":\"paused\",\"status\":\"running\"}", 400, null),
                bad("POST", "checkpoints", "{\"reason\":\"because\"}", "reason"),
                bad("POST", "checkpoints", "{\"name\":5}", "name"),
                bad("POST", "/api/v1/executions", "{\"agent_id\":[\"a\"]}", "agent_id"),
                bad("POST", "/api/v1/executions", "{\"id\":123,\"agent_id\":\"a\"}", "id"),
                bad("POST", "/api/v1/executions", "{\"agent_id\":\"a\",\"metadata\":[]}", "metadata"),
                bad("POST", "/api/v1/executions", "{\"agent_id\":\"a\",\"agent_name\":null}", "agent_name"),
                bad(
                        "POST",
                        "/api/v1/executions",
                        "{\"agent_id\":\"a\",\"initial_state\":{\"thought_chain\":{\"steps\":["
                                + "{\"id\":\"x\",\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5,"
                                + "\"children\":[],\"timestamp\":1},"
                                + "{\"id\":\"x\",\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5,"
                                + "\"children\":[],\"timestamp\":1}]}}}",
                        "initial_state.thought_chain.steps[1].id"),
                bad(
                        "POST",
                        "/api/v1/executions",
                        "{\"agent_id\":\"a\",\"initial_state\":{\"thought_chain\":{\"steps\":["
                                + "{\"id\":null,\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5,"
                                + "\"children\":[],\"timestamp\":1}]}}}",
                        "initial_state.thought_chain.steps[0].id"),
                bad(
                        "POST",
                        "/api/v1/executions",
                        "{\"agent_id\":\"a\",\"initial_state\":{\"context\":{\"messages\":[],"
                                + "\"variables\":{},\"memory\":[{\"key\":\"k\",\"importance\":1,\"timestamp\":1},"
                                + "{\"key\":\"k\",\"importance\":1,\"timestamp\":1}]}}}",
                        "initial_state.context.memory[1].key"),
                bad(
                        "POST",
                        "/api/v1/executions",
                        "{\"agent_id\":\"a\",\"initial_state\":{\"tool_state\":{\"pending\":"
                                + "[\"p\",\"p\"],\"running\":[],\"completed\":[],\"failed\":[]}}}",
                        "initial_state.tool_state.pending[1]"),
                new Refusal(
                        "POST",
                        "/api/v1/checkpoints/{cp}/restore",
                        "{\"mode\":\"fork\",\"mode\":\"in_place\"}",
                        400,
                        null),
                bad("POST", "/api/v1/checkpoints/{cp}/restore", "{\"mode\":\"sideways\"}", "mode"),
                bad(
                        "POST",
                        "/api/v1/checkpoints/{cp}/restore",
                        "{\"mode\":\"fork\",\"execution_id\":5}",
                        "execution_id"));
    }

    /** The execution every refusal is tried on, made once (RestAssured knows the port only once a test runs). */
    synchronized void seed() {
        if (execution != null) {
            return;
        }
        execution = as(TENANT)
                .body("{\"agent_id\":\"conf\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(TENANT)
                .body("{\"id\":\"s-1\"," + STEP.substring(1) + "}")
                .post("/api/v1/executions/{id}/thoughts", execution)
                .then()
                .statusCode(201);
        as(TENANT)
                .body("{\"id\":\"tc-open\",\"tool_id\":\"t\",\"arguments\":{}}")
                .post("/api/v1/executions/{id}/tool-calls", execution)
                .then()
                .statusCode(201);
        checkpoint = as(TENANT)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", execution)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        etag = as(TENANT).get("/api/v1/executions/{id}", execution).header("ETag");
        state = as(TENANT).get("/api/v1/executions/{id}/state", execution).asString();
    }

    @ParameterizedTest
    @Order(1)
    @MethodSource("refusals")
    void wrongValuesAreRefusedWithTheirPath(Refusal r) {
        seed();
        String path = r.path().startsWith("/")
                ? r.path().replace("{cp}", checkpoint)
                : "/api/v1/executions/" + execution + (r.path().isEmpty() ? "" : "/" + r.path());
        Response response = as(TENANT)
                .contentType(ContentType.JSON)
                .body(r.body().getBytes(StandardCharsets.UTF_8))
                .request(r.method(), path);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(r.status());
        assertThat(response.contentType()).startsWith("application/problem+json");
        if (r.field() != null) {
            assertThat(response.jsonPath().getList("errors.field", String.class))
                    .as(response.asString())
                    .contains(r.field());
        }
    }

    @Test
    @Order(2)
    void refusalsChangedNothing() {
        seed();
        assertThat(as(TENANT).get("/api/v1/executions/{id}", execution).header("ETag"))
                .isEqualTo(etag);
        assertThat(as(TENANT).get("/api/v1/executions/{id}/state", execution).asString())
                .isEqualTo(state);
        assertThat(as(TENANT)
                        .queryParam("agent_id", "a")
                        .get("/api/v1/executions")
                        .jsonPath()
                        .getList("items"))
                .isEmpty();
    }

    @Test
    void valuesCafAcceptsAreKeptExactlyThroughACheckpointAPushAndARestore() {
        String id = as(TENANT)
                .body("{\"agent_id\":\"edge\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String base = "/api/v1/executions/" + id;
        as(TENANT)
                .body("{\"id\":\"root\",\"type\":\"planning\",\"content\":\"think \uD83E\uDD14 \uD834\uDD1E\","
                        + "\"confidence\":1.0,\"timestamp\":9007199254740991,\"metadata\":{\"z\":null,"
                        + "\"a\":1e+23,\"m\":0.1},"
                        + "\"alternatives\":[{\"option\":\"o\",\"reason_rejected\":\"r\",\"confidence\":5}]}")
                .post(base + "/thoughts")
                .then()
                .statusCode(201);
        as(TENANT)
                .body("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":null,\"tool_results\":{\"x\":null}}")
                .post(base + "/context/messages")
                .then()
                .statusCode(201);
        as(TENANT)
                .body("{\"zeta\":\"{{alpha}}\",\"alpha\":\"A\"}")
                .patch(base + "/context/variables")
                .then()
                .statusCode(204);
        as(TENANT)
                .body("{\"beta\":{\"y\":2,\"x\":1},\"zeta\":\"{{alpha}} again\"}")
                .patch(base + "/context/variables")
                .then()
                .statusCode(204);
        as(TENANT)
                .body("{\"value\":null,\"importance\":0}")
                .put(base + "/context/memory/nothing")
                .then()
                .statusCode(200);
        as(TENANT)
                .body("{\"importance\":1}")
                .put(base + "/context/memory/" + "k".repeat(200))
                .then()
                .statusCode(200);
        as(TENANT)
                .body("{\"id\":\"tc\",\"tool_id\":\"t\",\"arguments\":{\"q\":null,\"b\":[1e+23]}}")
                .post(base + "/tool-calls")
                .then()
                .statusCode(201);
        as(TENANT)
                .body("{\"status\":\"completed\",\"result\":null}")
                .patch(base + "/tool-calls/tc")
                .then()
                .statusCode(200);
        as(TENANT)
                .body("{\"step_number\":2147483648,\"iterations_completed\":9007199254740991,"
                        + "\"total_steps_estimate\":9007199254740991,\"tokens_used\":9007199254740991,"
                        + "\"duration_ms\":0.25}")
                .patch(base + "/progress")
                .then()
                .statusCode(200);

        JsonNode s = JsonTrees.read(as(TENANT).get(base + "/state").asByteArray());
        JsonNode step = s.at("/thought_chain/steps/0");
        assertThat(step.get("content").textValue()).isEqualTo("think \uD83E\uDD14 \uD834\uDD1E");
        assertThat(step.get("timestamp").longValue()).isEqualTo(9007199254740991L);
        assertThat(JsonTrees.names(step.get("metadata"))).containsExactly("z", "a", "m");
        assertThat(step.get("metadata").get("z").isNull()).isTrue();
        assertThat(step.get("metadata").get("a").decimalValue()).isEqualByComparingTo("1e23");
        assertThat(step.at("/alternatives/0/confidence").intValue()).isEqualTo(5);
        JsonNode message = s.at("/context/messages/0");
        assertThat(message.has("tool_calls") && message.get("tool_calls").isNull())
                .isTrue();
        assertThat(JsonTrees.names(s.at("/context/variables"))).containsExactly("zeta", "alpha", "beta");
        assertThat(JsonTrees.names(s.at("/context/variables/beta"))).containsExactly("y", "x");
        JsonNode memory = s.at("/context/memory");
        assertThat(memory.get(0).has("value") && memory.get(0).get("value").isNull())
                .isTrue();
        assertThat(memory.get(1).has("value")).isFalse();
        JsonNode call = s.at("/tool_state/completed/0");
        assertThat(call.has("result") && call.get("result").isNull()).isTrue();
        assertThat(JsonTrees.names(call.get("arguments"))).containsExactly("q", "b");
        assertThat(s.at("/progress/step_number").longValue()).isEqualTo(2147483648L);
        assertThat(s.at("/progress/iterations_completed").longValue()).isEqualTo(9007199254740991L);
        assertThat(CafRules.state(s)).isEmpty();

        // the checkpoint holds exactly the state, and CAF accepts it
        String cp = as(TENANT)
                .body("{}")
                .post(base + "/checkpoints")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        byte[] bytes = as(TENANT).get("/api/v1/checkpoints/{id}/document", cp).asByteArray();
        JsonNode doc = JsonTrees.read(bytes);
        assertThat(CafRules.checkpoint(doc)).isEmpty();
        assertThat(JsonTrees.same(doc.get("snapshot"), s)).isTrue();
        assertThat(JsonTrees.names(doc.at("/snapshot/context/variables"))).containsExactly("zeta", "alpha", "beta");
        assertThat(doc.at("/metadata/step_number").longValue()).isEqualTo(2147483648L);

        // pushed back under new ids, the service takes its own document and gives back the very bytes
        ObjectNode copy = doc.deepCopy();
        copy.put("id", cp + "-pushed").put("execution_id", id + "-pushed");
        byte[] pushed = JsonTrees.escaped(copy);
        as(TENANT).body(pushed).post("/api/v1/checkpoints").then().statusCode(201);
        assertThat(as(TENANT)
                        .get("/api/v1/checkpoints/{id}/document", cp + "-pushed")
                        .asByteArray())
                .isEqualTo(pushed);

        // and a restore of either gives the same state back
        as(TENANT)
                .body("{}")
                .post("/api/v1/checkpoints/{id}/restore", cp + "-pushed")
                .then()
                .statusCode(200);
        JsonNode restored = JsonTrees.read(
                as(TENANT).get("/api/v1/executions/{id}/state", id + "-pushed").asByteArray());
        assertThat(JsonTrees.same(restored, s)).isTrue();
        assertThat(JsonTrees.names(restored.at("/context/variables"))).containsExactly("zeta", "alpha", "beta");
    }

    @Test
    void listsKeepTheirOrderAfterASeedAndARestore() {
        String seed = "{\"agent_id\":\"order\",\"initial_state\":{\"context\":{\"messages\":[],\"variables\":"
                + "{\"zeta\":\"{{alpha}}\",\"alpha\":\"A\"},\"memory\":["
                + "{\"key\":\"m1\",\"value\":1,\"importance\":0.5,\"timestamp\":1},"
                + "{\"key\":\"m2\",\"value\":2,\"importance\":0.5,\"timestamp\":2}]},"
                + "\"tool_state\":{\"pending\":[\"p1\",\"p2\"],\"running\":[],\"completed\":[{\"id\":\"c1\","
                + "\"tool_id\":\"t\",\"arguments\":{},\"status\":\"completed\",\"timestamp\":1}],\"failed\":[]}}}";
        String id = as(TENANT)
                .body(seed)
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String base = "/api/v1/executions/" + id;
        String cp = as(TENANT)
                .body("{}")
                .post(base + "/checkpoints")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        for (int round = 0; round < 2; round++) {
            as(TENANT)
                    .body("{\"status\":\"completed\",\"result\":1}")
                    .patch(base + "/tool-calls/p1")
                    .then()
                    .statusCode(200);
            as(TENANT)
                    .body("{\"value\":3,\"importance\":0.5}")
                    .put(base + "/context/memory/m3")
                    .then()
                    .statusCode(200);
            JsonNode s = JsonTrees.read(as(TENANT).get(base + "/state").asByteArray());
            assertThat(s.at("/tool_state/completed").findValuesAsText("id")).containsExactly("c1", "p1");
            assertThat(s.at("/tool_state/pending").toString()).isEqualTo("[\"p2\"]");
            assertThat(s.at("/context/memory").findValuesAsText("key")).containsExactly("m1", "m2", "m3");
            assertThat(JsonTrees.names(s.at("/context/variables"))).containsExactly("zeta", "alpha");
            // the same again after restoring the seed's checkpoint
            as(TENANT)
                    .body("{}")
                    .post("/api/v1/checkpoints/{id}/restore", cp)
                    .then()
                    .statusCode(200);
        }
    }

    @Test
    void aTenantClaimPostgresqlCannotStoreIsUnauthenticated() {
        // the claims are written by hand: a JSON library would not write an unpaired surrogate as an escape
        for (String tenant : new String[] {"t\\u0000x", "t\\ud800", "\\u0000"}) {
            String token = Api.signed("{\"iss\":\"https://caf-state.test/issuer\",\"aud\":\"caf-state\","
                    + "\"sub\":\"a\",\"exp\":" + (System.currentTimeMillis() / 1000 + 300) + ",\"tenant\":\""
                    + tenant + "\",\"groups\":[\"agent\"]}");
            given().auth()
                    .oauth2(token)
                    .get("/api/v1/executions")
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void jsonNestingIsBoundedAndTheParserTakesStringsAsLongAsADocument() {
        String id = as(TENANT)
                .body("{\"agent_id\":\"deep\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(TENANT)
                .body(nested(100))
                .patch("/api/v1/executions/{id}/context/variables", id)
                .then()
                .statusCode(204);
        JsonNode v = JsonTrees.read(
                        as(TENANT).get("/api/v1/executions/{id}/context", id).asByteArray())
                .get("variables");
        assertThat(v.toString()).isEqualTo(nested(100));
        // the parser's own string limit follows the document limit (the test profile's 256 KiB)
        assertThat(mapper.getFactory().streamReadConstraints().getMaxStringLength())
                .isEqualTo(262_144);
        String text = "x".repeat(200_000);
        ObjectNode doc = CafDocs.checkpoint("long-string", "e-long")
                .step("s", "planning", text, 0.5)
                .build();
        as(TENANT).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(201);
        List<String> contents = as(TENANT)
                .get("/api/v1/checkpoints/long-string/thoughts")
                .jsonPath()
                .getList("items.content", String.class);
        assertThat(contents).containsExactly(text);
    }
}
