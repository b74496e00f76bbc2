package dev.cafstate.caf;

import java.util.List;

/** The thought chain (CAF ThoughtChain). */
public record ThoughtChain(String currentStepId, List<ThoughtStep> steps) {}
