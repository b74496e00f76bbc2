package dev.cafstate.runtime.repository;

/** An item together with its position in its part (used as the paging cursor). */
public record Sequenced<T>(long seq, T item) {
}
