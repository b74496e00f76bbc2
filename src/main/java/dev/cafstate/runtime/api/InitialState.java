package dev.cafstate.runtime.api;

import jakarta.validation.Valid;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ToolState;

/** Runtime parts to seed a new execution with; each part is optional and starts empty when left out. */
public record InitialState(
        @Valid ThoughtChain thoughtChain,
        @Valid Context context,
        @Valid ToolState toolState,
        @Valid ExecutionProgress progress) {
}
