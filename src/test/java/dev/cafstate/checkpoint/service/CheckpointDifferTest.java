package dev.cafstate.checkpoint.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.checkpoint.api.CheckpointDiffView;

/** The diff rules: member paths with before/after, lists as length changes plus added ids, nothing for equal trees. */
class CheckpointDifferTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static ObjectNode doc(String json) throws Exception {
        return (ObjectNode) MAPPER.readTree(json);
    }

    static final String BASE = """
            {"version":"0.0.1","id":"c1","execution_id":"e","agent_id":"a","timestamp":1,
             "snapshot":{"thought_chain":{"steps":[{"id":"s1"}],"current_step_id":"s1"},
               "context":{"messages":[],"variables":{"x":1}},
               "tool_state":{"pending":[],"running":[],"completed":[{"id":"t1"}],"failed":[]},
               "progress":{"step_number":1}},
             "metadata":{"step_number":1,"checkpoint_reason":"manual"}}""";

    @Test
    void equalDocumentsHaveNoChanges() throws Exception {
        CheckpointDiffView d = CheckpointDiffer.diff("c0", doc(BASE), doc(BASE));
        assertThat(d.changes().size()).isZero();
        assertThat(d.thoughtsAdded()).isEmpty();
        assertThat(d.toolCallsAdded()).isEmpty();
        assertThat(d.summary()).isEqualTo("0 thought(s) added, 0 tool call(s) added, 0 field(s) changed");
        assertThat(d.fromCheckpointId()).isEqualTo("c0");
    }

    @Test
    void reportsChangedMembersByDottedPathWithBeforeAndAfter() throws Exception {
        ObjectNode later = doc(BASE);
        ((ObjectNode) later.at("/snapshot/context/variables")).put("x", 2).put("y", "new");
        ((ObjectNode) later.at("/metadata")).remove("checkpoint_reason");
        CheckpointDiffView d = CheckpointDiffer.diff("c1", doc(BASE), later);
        JsonNode c = d.changes();
        assertThat(c.get("snapshot.context.variables.x").get("before").asInt()).isEqualTo(1);
        assertThat(c.get("snapshot.context.variables.x").get("after").asInt()).isEqualTo(2);
        assertThat(c.get("snapshot.context.variables.y").get("before").isNull()).isTrue();
        assertThat(c.get("snapshot.context.variables.y").get("after").asText()).isEqualTo("new");
        assertThat(c.get("metadata.checkpoint_reason").get("after").isNull()).isTrue();
        assertThat(c.size()).isEqualTo(3);
    }

    @Test
    void listsAreALengthChangeAndTheirNewIds() throws Exception {
        ObjectNode later = doc(BASE);
        ((ArrayNode) later.at("/snapshot/thought_chain/steps")).addObject().put("id", "s2");
        ((ArrayNode) later.at("/snapshot/tool_state/failed")).addObject().put("id", "t2");
        ((ObjectNode) later.at("/snapshot/thought_chain")).put("current_step_id", "s2");
        CheckpointDiffView d = CheckpointDiffer.diff("c1", doc(BASE), later);
        assertThat(d.thoughtsAdded()).containsExactly("s2");
        assertThat(d.toolCallsAdded()).containsExactly("t2");
        assertThat(d.changes()
                        .get("snapshot.thought_chain.steps.length")
                        .get("before")
                        .asInt())
                .isEqualTo(1);
        assertThat(d.changes()
                        .get("snapshot.thought_chain.steps.length")
                        .get("after")
                        .asInt())
                .isEqualTo(2);
        assertThat(d.changes().has("snapshot.thought_chain.steps.0.id")).isFalse();
        assertThat(d.changes()
                        .get("snapshot.tool_state.failed.length")
                        .get("after")
                        .asInt())
                .isEqualTo(1);
        assertThat(d.changes()
                        .get("snapshot.thought_chain.current_step_id")
                        .get("after")
                        .asText())
                .isEqualTo("s2");
        assertThat(d.summary()).startsWith("1 thought(s) added, 1 tool call(s) added, ");
    }

    @Test
    void aListThatChangedInsideButKeptItsLengthIsNotReportedAsAChange() throws Exception {
        ObjectNode later = doc(BASE);
        ((ObjectNode) later.at("/snapshot/thought_chain/steps/0")).put("content", "edited");
        CheckpointDiffView d = CheckpointDiffer.diff("c1", doc(BASE), later);
        assertThat(d.changes().size()).isZero();
        assertThat(d.thoughtsAdded()).isEmpty();
    }

    @Test
    void pathsGoSnapshotThenMetadataThenTopLevelMembersAndATypeChangeIsOneChange() throws Exception {
        ObjectNode later = doc(BASE);
        ((ObjectNode) later.at("/snapshot/context")).put("variables", "not an object");
        later.put("name", "n");
        CheckpointDiffView d = CheckpointDiffer.diff("c1", doc(BASE), later);
        assertThat(d.changes()
                        .get("snapshot.context.variables")
                        .get("before")
                        .get("x")
                        .asInt())
                .isEqualTo(1);
        assertThat(d.changes().get("snapshot.context.variables").get("after").asText())
                .isEqualTo("not an object");
        assertThat(d.changes().get("name").get("before").isNull()).isTrue();
        List<String> names = new ArrayList<>();
        d.changes().fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("snapshot.context.variables", "name");
    }
}
