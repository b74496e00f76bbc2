package dev.cafstate.caf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A memory entry of the context (CAF Context.memory[]). {@code value} is any JSON value, {@code null} included
 * (written as such); a Java null means the entry has no value, which CAF also allows.
 */
public record MemoryEntry(
        String key,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode value,
        Double importance,
        Long timestamp) {}
