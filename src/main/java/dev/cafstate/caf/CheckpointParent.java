package dev.cafstate.caf;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** The checkpoint this one descends from; {@code is_branch} marks a fork. */
public record CheckpointParent(@NotNull @Size(min = 1) String checkpointId, Boolean isBranch, String branchReason) {
}
