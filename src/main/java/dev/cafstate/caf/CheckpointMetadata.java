package dev.cafstate.caf;

/** CAF checkpoint metadata (counters are 64-bit: CAF has no upper bound, JavaScript is exact up to 2^53-1). */
public record CheckpointMetadata(
        Long stepNumber,
        Long totalStepsEstimate,
        Long tokensUsed,
        Double durationMs,
        CheckpointReason checkpointReason,
        String agentName,
        String agentId) {}
