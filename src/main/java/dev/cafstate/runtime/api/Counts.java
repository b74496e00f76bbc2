package dev.cafstate.runtime.api;

/** Sizes of the runtime parts of an execution. */
public record Counts(long steps, long messages, long toolCalls) {}
