package dev.cafstate.runtime.api;

import static dev.cafstate.common.json.JsonChecks.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ToolState;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/** Body of {@code POST /executions}; the id is generated when left out. */
public record CreateExecutionRequest(
        String id, String agentId, String agentName, ObjectNode metadata, InitialState initialState) {

    /** Reads and checks the body: {@code {id?, agent_id, agent_name?, metadata?, initial_state?}}, no coercion. */
    public static CreateExecutionRequest from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (!c.object(body, "")) {
            c.throwIfAny();
        }
        JsonNode id = c.optional(body, "id", "");
        c.id(id, "id");
        JsonNode agentId = c.required(body, "agent_id", "");
        c.id(agentId, "agent_id");
        JsonNode agentName = c.optional(body, "agent_name", "");
        c.string(agentName, "agent_name");
        JsonNode metadata = c.optional(body, "metadata", "");
        c.object(metadata, "metadata");
        JsonNode init = c.optional(body, "initial_state", "");
        if (c.object(init, "initial_state")) {
            String p = "initial_state";
            CafSchema.thoughtChain(c, c.optional(init, "thought_chain", p), at(p, "thought_chain"));
            CafSchema.context(c, c.optional(init, "context", p), at(p, "context"));
            CafSchema.toolState(c, c.optional(init, "tool_state", p), at(p, "tool_state"));
            CafSchema.progress(c, c.optional(init, "progress", p), at(p, "progress"));
            CafSchema.restorable(c, init, p);
        }
        c.throwIfAny();
        InitialState initial = init == null
                ? null
                : new InitialState(
                        part(bodies, init, "thought_chain", ThoughtChain.class),
                        part(bodies, init, "context", Context.class),
                        part(bodies, init, "tool_state", ToolState.class),
                        part(bodies, init, "progress", ExecutionProgress.class));
        return new CreateExecutionRequest(
                id == null ? null : id.textValue(),
                agentId.textValue(),
                agentName == null ? null : agentName.textValue(),
                (ObjectNode) metadata,
                initial);
    }

    private static <T> T part(JsonBodies bodies, JsonNode init, String member, Class<T> type) {
        return init.has(member) ? bodies.map(init.get(member), type) : null;
    }
}
