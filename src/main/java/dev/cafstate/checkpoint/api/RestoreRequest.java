package dev.cafstate.checkpoint.api;

import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.WireEnum;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/** Body of {@code POST /checkpoints/{id}/restore}: in place (default) or as a fork into a new execution. */
public record RestoreRequest(Mode mode, String executionId) {

    /** How to restore. */
    public enum Mode implements WireEnum {
        IN_PLACE,
        FORK;

        @JsonValue
        @Override
        public String wire() {
            return WireEnum.super.wire();
        }

        @JsonCreator
        public static Mode of(String value) {
            return WireEnum.parse(Mode.class, value);
        }
    }

    /** No body is an in-place restore. */
    public static RestoreRequest from(JsonNode body, JsonBodies bodies) {
        if (body == null) {
            return new RestoreRequest(Mode.IN_PLACE, null);
        }
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.oneOf(c.optional(body, "mode", ""), "mode", Set.of("in_place", "fork"));
            c.id(c.optional(body, "execution_id", ""), "execution_id");
        }
        c.throwIfAny();
        JsonNode mode = body.get("mode");
        JsonNode id = body.get("execution_id");
        return new RestoreRequest(
                mode == null ? Mode.IN_PLACE : Mode.of(mode.textValue()), id == null ? null : id.textValue());
    }
}
