package dev.cafstate.checkpoint.api;

import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import dev.cafstate.caf.WireEnum;

/** Body of {@code POST /checkpoints/{id}/restore}: in place (default) or as a fork into a new execution. */
public record RestoreRequest(Mode mode, @Size(min = 1, max = 128) String executionId) {

    /** How to restore. */
    public enum Mode implements WireEnum {
        IN_PLACE, FORK;

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
}
