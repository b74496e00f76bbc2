package dev.cafstate.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The test-side CAF rule checker accepts what the SDK produced and rejects what it rejects. */
class CafRulesTest {

    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void acceptsTheSdkFixtures() throws Exception {
        for (String name : new String[] {"engine-basic-agent", "manager-rich-state", "schema-all-optional-fields"}) {
            assertThat(CafRules.checkpoint(mapper.readTree(getClass().getResourceAsStream("/caf/" + name + ".json"))))
                    .as(name)
                    .isEmpty();
        }
    }

    @Test
    void rejectsTheInvalidExample() throws Exception {
        assertThat(CafRules.checkpoint(
                        mapper.readTree(getClass().getResourceAsStream("/caf/invalid-docs-example.json"))))
                .contains(
                        "snapshot.thought_chain must be an object",
                        "checkpoint_reason has unknown value thought_completed",
                        "agent_id is missing");
    }
}
