package dev.cafstate.runtime.api;

/** A result together with the execution's state version after (or at) it: the body and the ETag of a response. */
public record Versioned<T>(T value, long version) {}
