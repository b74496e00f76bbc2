package dev.cafstate.caf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.common.error.Problem.FieldError;
import dev.cafstate.common.json.JsonChecks;
import dev.cafstate.common.json.JsonConfig;

/**
 * CAF 0.0.1 checkpoints as the SDK's Zod schemas judge them, on the JSON tree: what the SDK writes passes; a wrong
 * JSON type, a {@code null} where the type is not {@code any}, a non-integer or an integer from 2^53 on, or an id
 * repeated within its list is a breach at its JSON path; unknown members pass.
 */
class CafSchemaTest {

    static final ObjectMapper MAPPER = JsonConfig.apply(new ObjectMapper());

    static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    /** The SDK's checkpoint of its basic agent (src/test/resources/caf). */
    static ObjectNode basic() throws Exception {
        return (ObjectNode) fixture("engine-basic-agent");
    }

    static JsonNode fixture(String name) throws Exception {
        try (InputStream in = CafSchemaTest.class.getResourceAsStream("/caf/" + name + ".json")) {
            return MAPPER.readTree(in);
        }
    }

    static List<FieldError> errors(JsonNode doc) {
        JsonChecks checks = new JsonChecks(512, 1024);
        CafSchema.checkpoint(checks, doc);
        return checks.errors();
    }

    static ObjectNode at(JsonNode doc, String pointer) {
        return (ObjectNode) doc.at(pointer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"engine-basic-agent", "manager-rich-state", "schema-all-optional-fields"})
    void acceptsWhatTheSdkWrites(String name) throws Exception {
        assertThat(errors(fixture(name))).isEmpty();
    }

    @Test
    void refusesTheInvalidExampleOfTheDocsWithEveryBreach() throws Exception {
        assertThat(errors(fixture("invalid-docs-example")))
                .contains(
                        new FieldError("snapshot.thought_chain", "must be an object"),
                        new FieldError("snapshot.context.messages", "is required"),
                        new FieldError("snapshot.tool_state.pending", "is required"),
                        new FieldError("snapshot.progress.iterations_completed", "is required"),
                        new FieldError(
                                "metadata.checkpoint_reason",
                                "must be one of auto, branch, decision, low_confidence, manual, step_complete,"
                                        + " tool_error"),
                        new FieldError("metadata.agent_id", "is required"));
    }

    @Test
    void aDocumentIsAnObject() throws Exception {
        assertThat(errors(json("[]"))).containsExactly(new FieldError("body", "must be an object"));
        assertThat(errors(json("null"))).containsExactly(new FieldError("body", "must be an object"));
    }

    @Test
    void theVersionIsTheStringOfThisCafVersion() throws Exception {
        assertThat(errors(basic().put("version", "0.0.2")))
                .containsExactly(new FieldError("version", "must be \"0.0.1\""));
        assertThat(errors(basic().put("version", 1))).containsExactly(new FieldError("version", "must be a string"));
    }

    @Test
    void numbersAreNotTheirText() throws Exception {
        ObjectNode doc = basic().put("timestamp", "1795743147007");
        at(doc, "/snapshot/thought_chain/steps/0").put("confidence", "0.9");
        at(doc, "/metadata").put("tokens_used", true);

        assertThat(errors(doc))
                .containsExactlyInAnyOrder(
                        new FieldError("timestamp", "must be an integer"),
                        new FieldError("snapshot.thought_chain.steps[0].confidence", "must be a number"),
                        new FieldError("metadata.tokens_used", "must be an integer"));
    }

    @Test
    void idsAreNonEmptyStrings() throws Exception {
        ObjectNode doc = basic().put("execution_id", "");
        doc.put("agent_id", 7);

        assertThat(errors(doc))
                .containsExactlyInAnyOrder(
                        new FieldError("execution_id", "must not be empty"),
                        new FieldError("agent_id", "must be a string"));
    }

    @Test
    void nullIsRefusedWhereTheTypeIsNotAny() throws Exception {
        ObjectNode doc = basic();
        doc.putNull("name");
        doc.putNull("agent_id");
        at(doc, "/snapshot/thought_chain").putNull("current_step_id");
        at(doc, "/metadata").putNull("tokens_used");

        assertThat(errors(doc))
                .containsExactlyInAnyOrder(
                        new FieldError("name", "must be left out rather than null"),
                        new FieldError("agent_id", "must be a string"),
                        new FieldError("snapshot.thought_chain.current_step_id", "must be left out rather than null"),
                        new FieldError("metadata.tokens_used", "must be an integer"));
    }

    @Test
    void nullIsAValueWhereTheTypeIsAny() throws Exception {
        ObjectNode doc = basic();
        ObjectNode context = at(doc, "/snapshot/context");
        context.withArray("messages")
                .add(json("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":null," + "\"tool_results\":null}"));
        context.putArray("memory").add(json("{\"key\":\"k\",\"value\":null,\"importance\":0.5,\"timestamp\":1}"));
        context.putObject("variables").putNull("v");
        at(doc, "/snapshot/tool_state")
                .withArray("completed")
                .add(json("{\"id\":\"tc_1\",\"tool_id\":\"t\","
                        + "\"arguments\":{\"a\":null},\"status\":\"completed\",\"result\":null,\"timestamp\":1}"));
        doc.set(
                "diff",
                json("{\"from_checkpoint_id\":\"c0\",\"changes\":{\"x\":{\"before\":null,\"after\":1},"
                        + "\"y\":{}},\"summary\":\"\"}"));

        assertThat(errors(doc)).isEmpty();
    }

    @Test
    void integersEndBelowTwoToThe53() throws Exception {
        assertThat(errors(basic().put("timestamp", 9_007_199_254_740_991L))).isEmpty();
        assertThat(errors(basic().put("timestamp", 9_007_199_254_740_992L)))
                .containsExactly(new FieldError(
                        "timestamp",
                        "must be at most 2^53-1 (9007199254740991), the largest integer JavaScript holds exactly"));
    }

    @Test
    void integersAreJudgedAsJavaScriptReadsThem() throws Exception {
        ObjectNode whole = basic();
        at(whole, "/metadata").set("step_number", json("3.0"));
        at(whole, "/snapshot/progress").set("tokens_used", json("1e2"));
        assertThat(errors(whole)).isEmpty();

        ObjectNode fraction = basic();
        at(fraction, "/metadata").set("step_number", json("3.5"));
        at(fraction, "/snapshot/progress").put("total_steps_estimate", 0);
        assertThat(errors(fraction))
                .containsExactlyInAnyOrder(
                        new FieldError("metadata.step_number", "must be an integer"),
                        new FieldError("snapshot.progress.total_steps_estimate", "must be an integer >= 1"));
    }

    @Test
    void confidenceLiesBetweenZeroAndOne() throws Exception {
        // 1.0000000000000001 is 1 to JSON.parse, 1.0000000000000002 the next double above it
        ObjectNode doc = basic();
        ObjectNode step = at(doc, "/snapshot/thought_chain/steps/0");
        for (String ok : new String[] {"0", "1", "1.0", "1.0000000000000001", "-0.0"}) {
            step.set("confidence", json(ok));
            assertThat(errors(doc)).as(ok).isEmpty();
        }

        step.set("confidence", json("1.0000000000000002"));
        assertThat(errors(doc))
                .containsExactly(new FieldError(
                        "snapshot.thought_chain.steps[0].confidence", "must be a number between 0 and 1"));
    }

    @Test
    void enumsTakeTheirWireValuesOnly() throws Exception {
        ObjectNode doc = basic();
        at(doc, "/snapshot/thought_chain/steps/0").put("type", "Reasoning");
        at(doc, "/metadata").put("checkpoint_reason", "thought_completed");

        assertThat(errors(doc))
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("snapshot.thought_chain.steps[0].type", "metadata.checkpoint_reason");
    }

    @Test
    void unknownMembersPass() throws Exception {
        ObjectNode doc = basic();
        doc.put("x-extension", "kept");
        at(doc, "/snapshot").putObject("extra").put("a", 1);
        at(doc, "/snapshot/thought_chain/steps/0").putNull("unknown");

        assertThat(errors(doc)).isEmpty();
    }

    @Test
    void stepIdsAreUniqueWithinTheChain() throws Exception {
        ObjectNode doc = basic();
        ArrayNode steps = (ArrayNode) doc.at("/snapshot/thought_chain/steps");
        steps.add(steps.get(0).deepCopy());

        assertThat(errors(doc))
                .containsExactly(new FieldError(
                        "snapshot.thought_chain.steps[1].id",
                        "the step id 'step_1795743147006_qa5w8dz' appears twice"));
    }

    @Test
    void memoryKeysAreUnique() throws Exception {
        ObjectNode doc = basic();
        ArrayNode memory = at(doc, "/snapshot/context").putArray("memory");
        memory.add(json("{\"key\":\"k\",\"importance\":0.5,\"timestamp\":1}"));
        memory.add(json("{\"key\":\"K\",\"importance\":0.5,\"timestamp\":1}"));
        memory.add(json("{\"key\":\"k\",\"importance\":0.5,\"timestamp\":2}"));

        assertThat(errors(doc))
                .containsExactly(new FieldError("snapshot.context.memory[2].key", "the memory key 'k' appears twice"));
    }

    @Test
    void aToolCallSitsInOneListOnce() throws Exception {
        ObjectNode doc = basic();
        ObjectNode tools = at(doc, "/snapshot/tool_state");
        tools.withArray("pending").add("tc_1");
        tools.withArray("failed")
                .add(json("{\"id\":\"tc_1\",\"tool_id\":\"t\",\"arguments\":{},"
                        + "\"status\":\"failed\",\"timestamp\":1}"));

        List<FieldError> errors = errors(doc);
        assertThat(errors).extracting(FieldError::field).containsExactly("snapshot.tool_state.failed[0]");
        assertThat(errors.get(0).message()).contains("'tc_1'", "snapshot.tool_state.pending[0]");
    }

    @Test
    void appendedStepsLeaveServerFilledMembersOut() throws Exception {
        JsonNode step = json("{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}");

        JsonChecks append = new JsonChecks(512, 1024);
        CafSchema.step(append, step, "", CafSchema.StepInput.APPEND);
        assertThat(append.errors()).isEmpty();

        JsonChecks document = new JsonChecks(512, 1024);
        CafSchema.step(document, step, "", CafSchema.StepInput.DOCUMENT);
        assertThat(document.errors())
                .containsExactlyInAnyOrder(
                        new FieldError("id", "is required"),
                        new FieldError("children", "is required"),
                        new FieldError("timestamp", "is required"));
    }

    @Test
    void appendedStepsStillRefuseNull() throws Exception {
        JsonChecks append = new JsonChecks(512, 1024);
        CafSchema.step(
                append,
                json("{\"id\":null,\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}"),
                "steps[0]",
                CafSchema.StepInput.APPEND);

        assertThat(append.errors()).containsExactly(new FieldError("steps[0].id", "must be left out rather than null"));
    }
}
