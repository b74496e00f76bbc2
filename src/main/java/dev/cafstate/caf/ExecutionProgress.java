package dev.cafstate.caf;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

/** Progress counters of an execution (CAF ExecutionProgress). */
public record ExecutionProgress(
        @NotNull @PositiveOrZero Integer stepNumber,
        @Positive Integer totalStepsEstimate,
        @NotNull @PositiveOrZero Integer iterationsCompleted,
        @NotNull @PositiveOrZero Long tokensUsed,
        @NotNull @PositiveOrZero Double durationMs) {

    /** All-zero progress of a new execution. */
    public static ExecutionProgress zero() {
        return new ExecutionProgress(0, null, 0, 0L, 0.0);
    }
}
