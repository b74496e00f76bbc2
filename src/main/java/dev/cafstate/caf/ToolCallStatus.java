package dev.cafstate.caf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Lifecycle of a tool call in CAF. */
public enum ToolCallStatus implements WireEnum {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED;

    @JsonValue
    @Override
    public String wire() {
        return WireEnum.super.wire();
    }

    @JsonCreator
    public static ToolCallStatus of(String value) {
        return WireEnum.parse(ToolCallStatus.class, value);
    }
}
