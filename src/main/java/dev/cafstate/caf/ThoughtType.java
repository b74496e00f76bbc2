package dev.cafstate.caf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Kinds of thought step in CAF. */
public enum ThoughtType implements WireEnum {
    PLANNING,
    REASONING,
    TOOL_SELECTION,
    TOOL_EXECUTION,
    REFLECTION,
    DECISION,
    OBSERVATION,
    CORRECTION;

    @JsonValue
    @Override
    public String wire() {
        return WireEnum.super.wire();
    }

    @JsonCreator
    public static ThoughtType of(String value) {
        return WireEnum.parse(ThoughtType.class, value);
    }
}
