package dev.cafstate.checkpoint.api;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** CAF's {@code diff} shape plus the ids of thoughts and tool calls that are new in the later checkpoint. */
public record CheckpointDiffView(
        String fromCheckpointId,
        ObjectNode changes,
        String summary,
        List<String> thoughtsAdded,
        List<String> toolCallsAdded) {}
