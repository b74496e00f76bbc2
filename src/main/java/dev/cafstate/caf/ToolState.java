package dev.cafstate.caf;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The tool state (CAF ToolState): ids of pending and running calls, full records of finished ones. */
public record ToolState(
        String lastToolCallId,
        @NotNull List<@NotNull String> pending,
        @NotNull List<@NotNull String> running,
        @NotNull List<@Valid @NotNull ToolCall> completed,
        @NotNull List<@Valid @NotNull ToolCall> failed) {
}
