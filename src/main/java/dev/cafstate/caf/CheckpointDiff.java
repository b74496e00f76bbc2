package dev.cafstate.caf;

import jakarta.validation.constraints.NotNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** CAF's diff against an earlier checkpoint: {@code changes} maps a path to {@code {before, after}}. */
public record CheckpointDiff(@NotNull String fromCheckpointId, @NotNull ObjectNode changes, @NotNull String summary) {
}
