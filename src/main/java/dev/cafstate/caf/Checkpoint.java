package dev.cafstate.caf;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** A CAF 0.0.1 checkpoint: the monolithic document stored as one S3 object. */
public record Checkpoint(
        @NotNull @Pattern(regexp = "0\\.0\\.1", message = "must be \"0.0.1\"") String version,
        @NotNull @Size(min = 1, max = 128) String id,
        @NotNull @PositiveOrZero Long timestamp,
        @NotNull @Size(min = 1, max = 128) String executionId,
        @NotNull @Size(min = 1, max = 128) String agentId,
        @NotNull @Valid RuntimeSnapshot snapshot,
        @NotNull @Valid CheckpointMetadata metadata,
        @Valid CheckpointParent parent,
        @Valid CheckpointDiff diff,
        String name,
        String description) {

    /** The only schema version CAF accepts. */
    public static final String SCHEMA_VERSION = "0.0.1";
}
