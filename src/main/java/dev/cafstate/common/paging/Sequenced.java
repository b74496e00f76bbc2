package dev.cafstate.common.paging;

/** An item together with its position in its part (used as the paging cursor). */
public record Sequenced<T>(long seq, T item) {}
