package dev.cafstate.checkpoint.repository;

import dev.cafstate.checkpoint.api.CheckpointSummary;

/** A checkpoint row: the summary, the inline document when kept, and the idempotency key it was created with. */
public record CheckpointRow(String tenant, CheckpointSummary summary, String inlineDocument, String idempotencyKey) {
}
