package dev.cafstate.conformance;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.common.json.JsonChecks;
import dev.cafstate.support.CafRules;
import dev.cafstate.support.JsonTrees;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * CAF's rules, field by field, through {@code POST /checkpoints}: every case edits one member of a document
 * that has every optional member, and is either accepted exactly as CAF's Zod schema accepts it (201, the very bytes
 * come back, it restores, and a checkpoint of the restored runtime holds the same snapshot) or refused as CAF
 * refuses it (422 naming the member, nothing stored).
 */
@QuarkusTest
@WithTestResource(TestServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushConformanceTest {

    static final String TENANT = newTenant();
    static final AtomicInteger IDS = new AtomicInteger();
    static final String STEP0 = "snapshot.thought_chain.steps[0]";
    static final String STEP1 = "snapshot.thought_chain.steps[1]";
    static final String MSG0 = "snapshot.context.messages[0]";
    static final String MSG1 = "snapshot.context.messages[1]";
    static final String MEM0 = "snapshot.context.memory[0]";
    static final String DONE0 = "snapshot.tool_state.completed[0]";
    static final String FAIL0 = "snapshot.tool_state.failed[0]";
    static final String PROGRESS = "snapshot.progress";
    static final String REMOVE = null;

    /** One edit: the member, its new JSON value (null removes it), and the expected outcome. */
    record Case(String path, String json, int status, String field, boolean restoresUnchanged) {

        @Override
        public String toString() {
            return path + " = " + (json == null ? "(removed)" : json.length() > 60 ? json.substring(0, 60) : json)
                    + " -> " + status;
        }
    }

    static Case ok(String path, String json) {
        return new Case(path, json, 201, null, true);
    }

    /** Accepted; the runtime drops what CAF itself drops (unknown members), so only the document is compared. */
    static Case okDropped(String path, String json) {
        return new Case(path, json, 201, null, false);
    }

    static Case bad(String path, String json) {
        return new Case(path, json, 422, path, false);
    }

    static Case bad(String path, String json, String field) {
        return new Case(path, json, 422, field, false);
    }

    static Stream<Case> accepted() {
        return Stream.of(
                // null where CAF takes any JSON value
                ok(DONE0 + ".result", "null"),
                ok(MEM0 + ".value", "null"),
                ok(MEM0 + ".value", REMOVE),
                ok(MSG0 + ".tool_calls", "null"),
                ok(MSG0 + ".tool_results", "null"),
                ok(MSG0 + ".tool_calls", "[{\"id\":\"x\",\"args\":{\"a\":null}}]"),
                ok("snapshot.context.variables", "{\"zeta\":\"{{alpha}}\",\"alpha\":\"A\",\"none\":null}"),
                ok(STEP1 + ".metadata", "{\"z\":null,\"a\":[null,{\"k\":null}]}"),
                ok(DONE0 + ".arguments", "{\"p\":null,\"b\":1}"),
                ok(DONE0 + ".result", "{\"b\":2,\"a\":1}"),
                ok("diff.changes", "{\"x\":{},\"y\":{\"before\":null,\"after\":null}}"),
                // integers: 64-bit, up to JavaScript's exact range; a whole decimal is an integer to JavaScript
                ok("metadata.step_number", "2147483648"),
                ok("metadata.step_number", "9007199254740991"),
                ok("metadata.tokens_used", "9007199254740991"),
                ok("metadata.total_steps_estimate", "2147483648"),
                ok(PROGRESS + ".iterations_completed", "9007199254740991"),
                ok(PROGRESS + ".step_number", "2147483648"),
                ok(PROGRESS + ".total_steps_estimate", "9007199254740991"),
                ok("timestamp", "1795743351723.0"),
                ok(STEP0 + ".timestamp", "1.7387903e12"),
                ok("timestamp", "0"),
                // numbers keep their value
                ok(
                        "snapshot.context.variables",
                        "{\"n\":1e+23,\"f\":0.1,\"big\":123456789012345678901234567890,"
                                + "\"neg\":-0.0,\"tiny\":5e-324,\"exact\":0.30000000000000004}"),
                ok(STEP0 + ".confidence", "0"),
                ok(STEP0 + ".confidence", "1"),
                ok(STEP0 + ".confidence", "1.0"),
                ok(STEP0 + ".confidence", "5e-1"),
                ok(PROGRESS + ".duration_ms", "0.25"),
                ok("metadata.duration_ms", "1e-7"),
                ok(DONE0 + ".duration_ms", "0"),
                // CAF bounds neither an alternative's confidence nor strings
                ok(STEP1 + ".alternatives[0].confidence", "5"),
                ok(STEP1 + ".alternatives[0].confidence", "-1"),
                ok(STEP1 + ".alternatives[0].confidence", "1e-300"),
                // a number beyond PostgreSQL's numeric range where CAF takes any value (it was a 500 through jsonb)
                okDropped(STEP1 + ".alternatives[0].x_big", "1e200000"),
                okDropped(STEP1 + ".alternatives[0].x_tiny", "-1e-20000"),
                ok(STEP0 + ".content", "\"\""),
                ok("name", "\"\""),
                ok(MEM0 + ".key", "\"\""),
                ok(MEM0 + ".key", "\"" + "k".repeat(200) + "\""),
                ok(STEP0 + ".content", "\"thinking \\ud83e\\udd14 \uD834\uDD1E \u00e9\""),
                ok(MSG0 + ".content", "\"\uD83D\uDE00\uD83D\uDC69\u200D\uD83D\uDCBB\""),
                ok("execution_id", "\"exec \uD83D\uDE80\""),
                // what CAF does not check
                ok("metadata.agent_id", "\"someone-else\""),
                ok("parent.is_branch", REMOVE),
                ok(DONE0 + ".status", "\"failed\""),
                ok("snapshot.thought_chain.current_step_id", "\"nowhere\""),
                ok(STEP0 + ".parent_id", "\"not-in-the-chain\""),
                ok(STEP0 + ".children", "[]"),
                ok("snapshot.context.memory", REMOVE),
                ok("parent", REMOVE),
                ok("diff", REMOVE),
                ok("snapshot.context.messages", "[]"),
                ok("snapshot.context.variables", "{}"),
                // unknown members are accepted and kept in the document (CAF's runtime drops them)
                okDropped("x_extra", "{\"b\":1,\"a\":[2]}"),
                okDropped(STEP0 + ".x_extra", "true"),
                okDropped("snapshot.x_extra", "1"));
    }

    static Stream<Case> refused() {
        return Stream.of(
                // wrong JSON types are refused, never coerced
                bad(STEP0 + ".confidence", "\"0.5\""),
                bad(STEP0 + ".timestamp", "\"1796148602365\""),
                bad(STEP0 + ".content", "123"),
                bad("parent.is_branch", "\"true\""),
                bad(DONE0 + ".tool_id", "7"),
                bad(STEP0 + ".children", "[1]", STEP0 + ".children[0]"),
                bad("snapshot.tool_state.pending", "[42]", "snapshot.tool_state.pending[0]"),
                bad("id", "123"),
                bad("execution_id", "true"),
                bad(STEP1 + ".metadata", "[1]"),
                bad(DONE0 + ".arguments", "[]"),
                bad("snapshot.context.variables", "[]"),
                bad(STEP0 + ".type", "\"thinking\""),
                bad(MSG0 + ".role", "\"bot\""),
                bad(DONE0 + ".status", "\"done\""),
                bad("metadata.checkpoint_reason", "\"because\""),
                bad("version", "\"1.0.0\""),
                bad(MEM0 + ".importance", "\"0.5\""),
                bad(MEM0 + ".key", "1"),
                bad("diff.changes", "{\"x\":1}", "diff.changes.x"),
                bad(FAIL0 + ".error", "{}"),
                // ranges
                bad(STEP0 + ".confidence", "1.5"),
                bad(STEP0 + ".confidence", "-0.1"),
                bad(MEM0 + ".importance", "2"),
                bad(STEP0 + ".timestamp", "1.5"),
                bad("timestamp", "-1"),
                bad(PROGRESS + ".tokens_used", "-1"),
                bad("metadata.total_steps_estimate", "0"),
                bad(PROGRESS + ".total_steps_estimate", "0"),
                bad("metadata.step_number", "9007199254740992"),
                bad(PROGRESS + ".step_number", "1e400"),
                bad(PROGRESS + ".duration_ms", "1e400"),
                bad(PROGRESS + ".duration_ms", "-1"),
                // a typed number JavaScript would read as 0 although it is not: no writer makes it, no column holds it
                bad(STEP0 + ".confidence", "1e-400"),
                bad(STEP1 + ".alternatives[0].confidence", "1e-20000"),
                bad("metadata.step_number", "1e-400"),
                bad(STEP0 + ".timestamp", "-1e-400"),
                bad("id", "\"\""),
                bad(DONE0 + ".tool_id", "\"\""),
                bad(STEP0 + ".id", "\"\""),
                // .optional() members take a value or nothing, never null
                bad("metadata.agent_name", "null"),
                bad(STEP0 + ".reasoning", "null"),
                bad(STEP1 + ".parent_id", "null"),
                bad(MSG1 + ".timestamp", "null"),
                bad("name", "null"),
                bad("description", "null"),
                bad("diff", "null"),
                bad("parent", "null"),
                bad("snapshot.thought_chain.current_step_id", "null"),
                bad("snapshot.context.memory", "null"),
                bad("snapshot.tool_state.last_tool_call_id", "null"),
                bad(FAIL0 + ".error", "null"),
                bad(DONE0 + ".duration_ms", "null"),
                bad(STEP1 + ".alternatives", "null"),
                bad(STEP1 + ".metadata", "null"),
                bad(STEP1 + ".alternatives[0].confidence", "null"),
                bad("metadata.total_steps_estimate", "null"),
                bad("parent.branch_reason", "null"),
                // required members
                bad(STEP0 + ".children", REMOVE),
                bad(STEP0 + ".id", REMOVE),
                bad(STEP0 + ".id", "null"),
                bad(STEP0 + ".confidence", REMOVE),
                bad(STEP0 + ".timestamp", REMOVE),
                bad(PROGRESS + ".step_number", REMOVE),
                bad("metadata.agent_id", REMOVE),
                bad("snapshot.tool_state.running", REMOVE),
                bad("snapshot.context.variables", REMOVE),
                bad(DONE0 + ".arguments", REMOVE),
                bad("diff.summary", REMOVE),
                bad(MEM0 + ".timestamp", REMOVE),
                bad("snapshot.progress", REMOVE),
                bad("agent_id", REMOVE),
                // documents CAF accepts but whose runtime state could never be restored
                bad(STEP1 + ".id", "\"step_1738790300000_a1b2c3d\""),
                bad(
                        "snapshot.context.memory[1]",
                        "{\"key\":\"repo\",\"value\":2,\"importance\":0.1,\"timestamp\":1}",
                        "snapshot.context.memory[1].key"),
                bad("snapshot.tool_state.pending", "[\"tc_3\",\"tc_3\"]", "snapshot.tool_state.pending[1]"),
                bad("snapshot.tool_state.pending", "[\"tc_1\"]", DONE0),
                bad("snapshot.tool_state.running", "[\"tc_3\"]", "snapshot.tool_state.running[0]"),
                // strings PostgreSQL cannot hold unchanged
                bad(STEP0 + ".content", "\"a\\u0000b\""),
                bad(STEP0 + ".content", "\"sliced \\ud83d\""),
                bad(STEP0 + ".content", "\"\\udfff\""),
                bad("snapshot.context.variables", "{\"k\\u0000\":1}", "snapshot.context.variables.k\u0000"),
                bad("id", "\"\\ud800\""),
                bad(DONE0 + ".result", "{\"x\":\"\\u0000\"}", DONE0 + ".result.x"));
    }

    ObjectNode base;

    @BeforeAll
    void readBase() throws IOException {
        base = (ObjectNode) JsonTrees.read(getClass()
                .getResourceAsStream("/caf/schema-all-optional-fields.json")
                .readAllBytes());
        assertThat(CafRules.checkpoint(base)).isEmpty();
    }

    ObjectNode document(Case c) {
        ObjectNode doc = base.deepCopy();
        String n = "conf-" + IDS.incrementAndGet();
        doc.put("id", n);
        doc.put("execution_id", "exec-" + n);
        JsonTrees.set(doc, c.path(), c.json());
        return doc;
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void cafAcceptsItSoDoesThePush(Case c) {
        ObjectNode doc = document(c);
        // the SDK writes 2-space indented files; the bytes as sent are what is stored
        byte[] sent = JsonTrees.pretty(doc);
        String id = doc.get("id").isTextual() ? doc.get("id").textValue() : null;
        Response r = as(TENANT).body(sent).post("/api/v1/checkpoints");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
        byte[] stored = as(TENANT)
                .get("/api/v1/checkpoints/{id}/document", id)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo(new String(sent, StandardCharsets.UTF_8));
        // the same content again (other formatting) is the same checkpoint
        as(TENANT).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(200);

        // it restores, and the runtime then holds what the document holds
        String fork = "fork-" + id;
        as(TENANT)
                .body("{\"mode\":\"fork\",\"execution_id\":\"" + fork + "\"}")
                .post("/api/v1/checkpoints/{id}/restore", id)
                .then()
                .statusCode(200);
        if (c.restoresUnchanged()) {
            JsonNode state = JsonTrees.read(
                    as(TENANT).get("/api/v1/executions/{id}/state", fork).asByteArray());
            assertThat(JsonTrees.same(state, doc.get("snapshot")))
                    .as(state.toString())
                    .isTrue();
            assertThat(JsonTrees.names(state.at("/context/variables")))
                    .isEqualTo(JsonTrees.names(doc.at("/snapshot/context/variables")));
        }
        // a checkpoint of the restored runtime is a document CAF accepts, and this service too
        String again = as(TENANT)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", fork)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        JsonNode produced = JsonTrees.read(
                as(TENANT).get("/api/v1/checkpoints/{id}/document", again).asByteArray());
        assertThat(CafRules.checkpoint(produced)).isEmpty();
        // what the service produced, pushed back under new ids, is accepted and kept byte for byte
        ObjectNode back = produced.deepCopy();
        back.put("id", again + "-back").put("execution_id", fork + "-back");
        byte[] backBytes = JsonTrees.escaped(back);
        as(TENANT).body(backBytes).post("/api/v1/checkpoints").then().statusCode(201);
        assertThat(as(TENANT)
                        .get("/api/v1/checkpoints/{id}/document", again + "-back")
                        .asByteArray())
                .isEqualTo(backBytes);
        if (c.restoresUnchanged()) {
            assertThat(JsonTrees.same(produced.get("snapshot"), doc.get("snapshot")))
                    .isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("refused")
    void cafRefusesItSoDoesThePush(Case c) {
        ObjectNode doc = document(c);
        String id = base.get("id").textValue();
        Response r = as(TENANT).body(JsonTrees.escaped(doc)).post("/api/v1/checkpoints");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        List<String> fields = new ArrayList<>(r.jsonPath().getList("errors.field", String.class));
        assertThat(fields).as(r.asString()).contains(c.field());
        // nothing stored: no checkpoint under the document's own id, no execution made for it, no event
        JsonNode docId = doc.get("id");
        if (docId != null
                && docId.isTextual()
                && !docId.textValue().isEmpty()
                && !docId.textValue().startsWith("\ud800")) {
            as(TENANT).get("/api/v1/checkpoints/{id}", docId.textValue()).then().statusCode(404);
        }
        JsonNode execution = doc.get("execution_id");
        if (execution != null && execution.isTextual() && JsonChecks.textProblem(execution.textValue()) == null) {
            as(TENANT)
                    .get("/api/v1/executions/{id}", execution.textValue())
                    .then()
                    .statusCode(404);
            as(TENANT)
                    .get("/api/v1/checkpoints?execution_id={e}", execution.textValue())
                    .then()
                    .statusCode(200)
                    .body("items", hasSize(0));
        }
    }

    @Test
    void queryParametersPostgresqlCannotHoldAreA400NamingThem() {
        // U+0000 as the URL carries it; half a surrogate pair cannot be written in a URL's UTF-8 at all
        for (String path : List.of(
                "/api/v1/checkpoints?q=a%00b",
                "/api/v1/checkpoints?execution_id=%00",
                "/api/v1/checkpoints?agent_id=x%00",
                "/api/v1/checkpoints?tool_id=%00y",
                "/api/v1/executions?agent_id=%00")) {
            String name = path.substring(path.indexOf('?') + 1, path.indexOf('='));
            Response r = as(TENANT).urlEncodingEnabled(false).get(path);
            assertThat(r.statusCode()).as(path + " " + r.asString()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.jsonPath().getList("errors.field", String.class)).containsExactly(name);
        }
    }

    @Test
    void aPushWithDuplicateMembersIs400AndOneNestedTooDeepIs422() {
        ObjectNode doc = document(ok("name", "\"x\""));
        String text = new String(JsonTrees.escaped(doc), StandardCharsets.UTF_8);
        String twice = text.replace("\"name\":\"x\"", "\"name\":\"x\",\"name\":\"y\"");
        assertThat(twice).isNotEqualTo(text);
        Response r = as(TENANT).body(twice).post("/api/v1/checkpoints");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.asString()).contains("name");
        as(TENANT)
                .get("/api/v1/checkpoints/{id}", doc.get("id").textValue())
                .then()
                .statusCode(404);

        // 200 levels of variables, past caf.limits.max-json-depth (128)
        ObjectNode deep = document(ok("snapshot.context.variables", RuntimeConformanceTest.nested(200)));
        Response d = as(TENANT).body(JsonTrees.escaped(deep)).post("/api/v1/checkpoints");
        assertThat(d.statusCode()).as(d.asString()).isEqualTo(422);
        assertThat(d.contentType()).startsWith("application/problem+json");
        as(TENANT)
                .get("/api/v1/checkpoints/{id}", deep.get("id").textValue())
                .then()
                .statusCode(404);
    }
}
