package dev.cafstate.runtime.api;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.ThoughtChain;
import dev.cafstate.caf.ToolState;

/** Runtime parts to seed a new execution with, in CAF shapes; each part is optional and starts empty when left out. */
public record InitialState(
        ThoughtChain thoughtChain, Context context, ToolState toolState, ExecutionProgress progress) {}
