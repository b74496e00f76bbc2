package dev.cafstate.caf;

/** The four runtime parts together: CAF's {@code snapshot} of a checkpoint and the body of {@code GET .../state}. */
public record RuntimeSnapshot(
        ThoughtChain thoughtChain, Context context, ToolState toolState, ExecutionProgress progress) {}
