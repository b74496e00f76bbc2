package dev.cafstate.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.caf.ToolCallStatus;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/** Body of {@code POST .../tool-calls}: {@code {id?, tool_id, arguments, status?, timestamp?}}. */
public record ToolCallCreate(String id, String toolId, ObjectNode arguments, ToolCallStatus status, Long timestamp) {

    public static ToolCallCreate from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.id(c.optional(body, "id", ""), "id");
            c.id(c.required(body, "tool_id", ""), "tool_id");
            c.object(c.required(body, "arguments", ""), "arguments");
            JsonNode status = c.optional(body, "status", "");
            if (c.oneOf(status, "status", CafSchema.TOOL_STATUSES)
                    && !status.textValue().equals("pending")
                    && !status.textValue().equals("running")) {
                c.fail("status", "a new call is pending or running");
            }
            c.integer(c.optional(body, "timestamp", ""), "timestamp", 0);
        }
        c.throwIfAny();
        JsonNode id = body.get("id");
        JsonNode status = body.get("status");
        JsonNode ts = body.get("timestamp");
        return new ToolCallCreate(
                id == null ? null : id.textValue(),
                body.get("tool_id").textValue(),
                (ObjectNode) body.get("arguments"),
                status == null ? null : ToolCallStatus.of(status.textValue()),
                ts == null ? null : JsonChecks.jsInteger(ts));
    }
}
