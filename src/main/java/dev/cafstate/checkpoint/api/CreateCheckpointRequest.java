package dev.cafstate.checkpoint.api;

import jakarta.validation.constraints.Size;

import dev.cafstate.caf.CheckpointReason;

/** Body of {@code POST /executions/{id}/checkpoints}; every member is optional (reason defaults to manual). */
public record CreateCheckpointRequest(CheckpointReason reason, @Size(max = 256) String name,
        @Size(max = 4096) String description) {
}
