package dev.cafstate.caf;

import java.util.List;

/** The tool state (CAF ToolState): ids of pending and running calls, full records of finished ones. */
public record ToolState(
        String lastToolCallId,
        List<String> pending,
        List<String> running,
        List<ToolCall> completed,
        List<ToolCall> failed) {}
