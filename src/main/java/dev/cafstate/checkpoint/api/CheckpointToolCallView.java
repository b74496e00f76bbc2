package dev.cafstate.checkpoint.api;

import com.fasterxml.jackson.databind.JsonNode;

/** A normalized tool-call row of a checkpoint. */
public record CheckpointToolCallView(
        String id,
        String toolId,
        String status,
        JsonNode arguments,
        JsonNode result,
        String error,
        Double durationMs,
        long timestamp) {}
