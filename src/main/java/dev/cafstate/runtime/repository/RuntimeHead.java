package dev.cafstate.runtime.repository;

import dev.cafstate.caf.ExecutionProgress;

/**
 * What the execution row holds of its runtime state when the parts are written whole (a seeded create, a restore):
 * the item counters, the chain's current step, the variables (JSON text), the last tool call and the progress.
 */
public record RuntimeHead(
        long stepCount,
        long messageCount,
        long toolCallCount,
        String currentStepId,
        String variables,
        String lastToolCallId,
        ExecutionProgress progress) {

    /** The head of an execution with no state yet. */
    public static RuntimeHead empty() {
        return new RuntimeHead(0, 0, 0, null, "{}", null, ExecutionProgress.zero());
    }
}
