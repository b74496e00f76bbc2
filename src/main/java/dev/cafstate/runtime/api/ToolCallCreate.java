package dev.cafstate.runtime.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.ToolCallStatus;

/** Body of {@code POST .../tool-calls}: a new call, pending (default) or already running. */
public record ToolCallCreate(
        @Size(min = 1, max = 128) String id,
        @NotNull @Size(min = 1, max = 128) String toolId,
        @NotNull ObjectNode arguments,
        ToolCallStatus status,
        @PositiveOrZero Long timestamp) {
}
