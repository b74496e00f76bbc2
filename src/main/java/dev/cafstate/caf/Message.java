package dev.cafstate.caf;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import com.fasterxml.jackson.databind.JsonNode;

/** A context message (CAF Context.messages[]); {@code tool_calls}/{@code tool_results} are free-form. */
public record Message(
        @NotNull MessageRole role,
        @NotNull String content,
        JsonNode toolCalls,
        JsonNode toolResults,
        @PositiveOrZero Long timestamp) {
}
