package dev.cafstate.caf;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A tool call record (CAF ToolCall). */
public record ToolCall(
        @NotNull @Size(min = 1, max = 128) String id,
        @NotNull @Size(min = 1, max = 128) String toolId,
        @NotNull ObjectNode arguments,
        @NotNull ToolCallStatus status,
        JsonNode result,
        String error,
        @PositiveOrZero Double durationMs,
        @NotNull @PositiveOrZero Long timestamp) {
}
