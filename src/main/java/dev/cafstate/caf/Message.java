package dev.cafstate.caf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A context message (CAF Context.messages[]); {@code tool_calls}/{@code tool_results} are any JSON value, a JSON
 * {@code null} included (a Java null leaves the member out).
 */
public record Message(
        MessageRole role,
        String content,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode toolCalls,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode toolResults,
        Long timestamp) {}
