package dev.cafstate.caf;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The context (CAF Context); {@code memory} is left out when empty, as the SDK does. */
public record Context(List<Message> messages, ObjectNode variables, List<MemoryEntry> memory) {}
