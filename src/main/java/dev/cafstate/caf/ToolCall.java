package dev.cafstate.caf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A tool call record (CAF ToolCall); {@code result} is any JSON value, a JSON {@code null} included. */
public record ToolCall(
        String id,
        String toolId,
        ObjectNode arguments,
        ToolCallStatus status,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode result,
        String error,
        Double durationMs,
        Long timestamp) {}
