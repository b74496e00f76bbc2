package dev.cafstate.caf;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** CAF's diff against an earlier checkpoint: {@code changes} maps a path to {@code {before, after}}. */
public record CheckpointDiff(String fromCheckpointId, ObjectNode changes, String summary) {}
