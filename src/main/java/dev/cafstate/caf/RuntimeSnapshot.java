package dev.cafstate.caf;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The four runtime parts together: CAF's {@code snapshot} of a checkpoint and the body of {@code GET .../state}. */
public record RuntimeSnapshot(
        @NotNull @Valid ThoughtChain thoughtChain,
        @NotNull @Valid Context context,
        @NotNull @Valid ToolState toolState,
        @NotNull @Valid ExecutionProgress progress) {
}
