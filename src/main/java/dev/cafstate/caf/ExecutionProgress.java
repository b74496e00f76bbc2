package dev.cafstate.caf;

/** Progress counters of an execution (CAF ExecutionProgress), 64-bit. */
public record ExecutionProgress(
        Long stepNumber, Long totalStepsEstimate, Long iterationsCompleted, Long tokensUsed, Double durationMs) {

    /** All-zero progress of a new execution. */
    public static ExecutionProgress zero() {
        return new ExecutionProgress(0L, null, 0L, 0L, 0.0);
    }
}
