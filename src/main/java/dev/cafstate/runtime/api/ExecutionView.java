package dev.cafstate.runtime.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.ExecutionProgress;

/** An execution as the API shows it; {@code version} travels as the ETag, not in the body. */
public record ExecutionView(
        String id,
        String agentId,
        String agentName,
        ExecutionStatus status,
        long startedAt,
        Long endedAt,
        String currentCheckpointId,
        ExecutionProgress progress,
        Counts counts,
        ObjectNode metadata,
        @JsonIgnore long version) {}
