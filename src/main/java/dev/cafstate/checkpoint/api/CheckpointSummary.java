package dev.cafstate.checkpoint.api;

/** A checkpoint as listed and returned by create: its metadata, where its object is, and its checksum. */
public record CheckpointSummary(
        String id,
        String executionId,
        String agentId,
        long timestamp,
        String reason,
        long stepNumber,
        long tokensUsed,
        double durationMs,
        String parentCheckpointId,
        boolean isBranch,
        String name,
        String description,
        String objectKey,
        String sha256,
        long sizeBytes,
        String schemaVersion,
        Counts counts) {

    /** Sizes of the snapshot. */
    public record Counts(int steps, int toolCalls) {}
}
