package dev.cafstate.caf;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The thought chain (CAF ThoughtChain). */
public record ThoughtChain(String currentStepId, @NotNull List<@Valid @NotNull ThoughtStep> steps) {
}
