package dev.cafstate.runtime.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.ToolCallStatus;

/** Body of {@code PATCH .../tool-calls/{id}}: the next status and, when finished, its outcome. */
public record ToolCallUpdate(
        @NotNull ToolCallStatus status,
        JsonNode result,
        String error,
        @PositiveOrZero Double durationMs) {
}
