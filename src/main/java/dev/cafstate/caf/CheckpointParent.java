package dev.cafstate.caf;

/** The checkpoint this one descends from; {@code is_branch} marks a fork (CAF's default: false). */
public record CheckpointParent(String checkpointId, Boolean isBranch, String branchReason) {}
