package dev.cafstate.checkpoint.repository;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.common.security.Tenant;

/**
 * A checkpoint row: the summary, the SHA-256 of its canonical content (replays are recognised by it), the inline
 * document when kept, and the idempotency key it was created with.
 */
public record CheckpointRow(
        Tenant tenant,
        CheckpointSummary summary,
        String contentSha256,
        String inlineDocument,
        String idempotencyKey,
        String idempotencyRequest) {}
