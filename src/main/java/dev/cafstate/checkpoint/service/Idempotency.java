package dev.cafstate.checkpoint.service;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.checkpoint.repository.CheckpointRow;
import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.common.error.InvalidInput;

/**
 * A client's {@code Idempotency-Key} with the request it came with (SHA-256 of the body's canonical form). Every
 * request with the same key and the same body gets the one checkpoint the first made; the same key with another
 * body is a 422, as the IETF's Idempotency-Key draft asks.
 */
public record Idempotency(String key, String requestSha256) {

    /** The key and the body's fingerprint, or null without a key. */
    public static Idempotency of(String key, JsonNode body) {
        if (key == null) {
            return null;
        }
        return new Idempotency(key, CanonicalJson.contentSha256(body == null ? CanonicalJson.EMPTY_OBJECT : body));
    }

    /** Checks that {@code row}, found by this key, was made by the same request. */
    void sameRequestAs(CheckpointRow row) {
        if (row.idempotencyRequest() != null && !row.idempotencyRequest().equals(requestSha256)) {
            throw InvalidInput.field("Idempotency-Key", "was used before with a different request body");
        }
    }
}
