package dev.cafstate.caf;

/** A CAF 0.0.1 checkpoint: the monolithic document stored as one S3 object. The rules are {@link CafSchema}'s. */
public record Checkpoint(
        String version,
        String id,
        Long timestamp,
        String executionId,
        String agentId,
        RuntimeSnapshot snapshot,
        CheckpointMetadata metadata,
        CheckpointParent parent,
        CheckpointDiff diff,
        String name,
        String description) {

    /** The only schema version CAF accepts. */
    public static final String SCHEMA_VERSION = CafSchema.VERSION;
}
