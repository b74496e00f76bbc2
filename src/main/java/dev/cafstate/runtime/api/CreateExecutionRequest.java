package dev.cafstate.runtime.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Body of {@code POST /executions}; the id is generated when left out. */
public record CreateExecutionRequest(
        @Size(min = 1, max = 128) String id,
        @NotNull @Size(min = 1, max = 128) String agentId,
        @Size(max = 256) String agentName,
        ObjectNode metadata,
        @Valid InitialState initialState) {
}
