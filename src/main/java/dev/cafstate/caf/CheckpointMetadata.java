package dev.cafstate.caf;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** CAF checkpoint metadata; {@code agent_id} is required and equals the document's top-level {@code agent_id}. */
public record CheckpointMetadata(
        @NotNull @PositiveOrZero Integer stepNumber,
        @Positive Integer totalStepsEstimate,
        @NotNull @PositiveOrZero Long tokensUsed,
        @NotNull @PositiveOrZero Double durationMs,
        @NotNull CheckpointReason checkpointReason,
        String agentName,
        @NotNull @Size(min = 1) String agentId) {
}
