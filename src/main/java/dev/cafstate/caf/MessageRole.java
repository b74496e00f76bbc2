package dev.cafstate.caf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Roles of a context message in CAF. */
public enum MessageRole implements WireEnum {
    USER,
    ASSISTANT,
    SYSTEM,
    TOOL;

    @JsonValue
    @Override
    public String wire() {
        return WireEnum.super.wire();
    }

    @JsonCreator
    public static MessageRole of(String value) {
        return WireEnum.parse(MessageRole.class, value);
    }
}
