package dev.cafstate.checkpoint.api;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.caf.CheckpointReason;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/** Body of {@code POST /executions/{id}/checkpoints}; every member is optional (reason defaults to manual). */
public record CreateCheckpointRequest(CheckpointReason reason, String name, String description) {

    /** No body at all is the same as {@code {}}. */
    public static final CreateCheckpointRequest DEFAULTS = new CreateCheckpointRequest(null, null, null);

    public static CreateCheckpointRequest from(JsonNode body, JsonBodies bodies) {
        if (body == null) {
            return DEFAULTS;
        }
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.oneOf(c.optional(body, "reason", ""), "reason", CafSchema.REASONS);
            c.string(c.optional(body, "name", ""), "name");
            c.string(c.optional(body, "description", ""), "description");
        }
        c.throwIfAny();
        JsonNode reason = body.get("reason");
        JsonNode name = body.get("name");
        JsonNode description = body.get("description");
        return new CreateCheckpointRequest(
                reason == null ? null : CheckpointReason.of(reason.textValue()),
                name == null ? null : name.textValue(),
                description == null ? null : description.textValue());
    }
}
