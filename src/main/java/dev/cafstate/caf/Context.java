package dev.cafstate.caf;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The context (CAF Context); {@code memory} is left out when empty, as the SDK does. */
public record Context(
        @NotNull List<@Valid @NotNull Message> messages,
        @NotNull ObjectNode variables,
        List<@Valid @NotNull MemoryEntry> memory) {
}
