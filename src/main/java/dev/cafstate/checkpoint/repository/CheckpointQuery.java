package dev.cafstate.checkpoint.repository;

/** Filters of {@code GET /checkpoints}; null members do not filter. */
public record CheckpointQuery(
        String executionId,
        String agentId,
        String reason,
        String toolId,
        String thoughtType,
        Double minConfidence,
        Double maxConfidence,
        String text,
        Long from,
        Long to) {}
