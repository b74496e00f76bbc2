package dev.cafstate.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.caf.ToolCallStatus;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/**
 * Body of {@code PATCH .../tool-calls/{id}}: {@code {status, result?, error?, duration_ms?}}. {@code result} is any
 * JSON value, {@code null} included (CAF's {@code z.any()}); a Java null means it was left out.
 */
public record ToolCallUpdate(ToolCallStatus status, JsonNode result, String error, Double durationMs) {

    public static ToolCallUpdate from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.oneOf(c.required(body, "status", ""), "status", CafSchema.TOOL_STATUSES);
            c.string(c.optional(body, "error", ""), "error");
            c.number(c.optional(body, "duration_ms", ""), "duration_ms", 0, Double.MAX_VALUE);
        }
        c.throwIfAny();
        JsonNode error = body.get("error");
        JsonNode duration = body.get("duration_ms");
        return new ToolCallUpdate(
                ToolCallStatus.of(body.get("status").textValue()),
                body.get("result"),
                error == null ? null : error.textValue(),
                duration == null ? null : JsonChecks.jsNumber(duration));
    }
}
