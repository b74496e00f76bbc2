package dev.cafstate.caf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Why a checkpoint was taken (CAF metadata.checkpoint_reason). */
public enum CheckpointReason implements WireEnum {
    STEP_COMPLETE,
    MANUAL,
    LOW_CONFIDENCE,
    TOOL_ERROR,
    AUTO,
    DECISION,
    BRANCH;

    @JsonValue
    @Override
    public String wire() {
        return WireEnum.super.wire();
    }

    @JsonCreator
    public static CheckpointReason of(String value) {
        return WireEnum.parse(CheckpointReason.class, value);
    }
}
