package dev.cafstate.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/**
 * Body of {@code PUT .../context/memory/{key}}: {@code {value?, importance, timestamp?}}. {@code value} is any JSON
 * value, {@code null} included, and may be left out as CAF allows; the timestamp defaults to now.
 */
public record MemoryWrite(JsonNode value, Double importance, Long timestamp) {

    public static MemoryWrite from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.number(c.required(body, "importance", ""), "importance", 0, 1);
            c.integer(c.optional(body, "timestamp", ""), "timestamp", 0);
        }
        c.throwIfAny();
        JsonNode ts = body.get("timestamp");
        return new MemoryWrite(
                body.get("value"),
                JsonChecks.jsNumber(body.get("importance")),
                ts == null ? null : JsonChecks.jsInteger(ts));
    }
}
