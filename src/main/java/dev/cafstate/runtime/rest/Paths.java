package dev.cafstate.runtime.rest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.runtime.api.ExecutionStatus;

/** Parsing of query parameters and encoding of ids into URLs. */
final class Paths {

    private Paths() {
    }

    /** An id as one URL path segment. */
    static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static ExecutionStatus status(String value) {
        try {
            return value == null ? null : ExecutionStatus.of(value);
        } catch (IllegalArgumentException e) {
            throw BadRequest.field("status", e.getMessage());
        }
    }

    static ThoughtType thoughtType(String value) {
        try {
            return value == null ? null : ThoughtType.of(value);
        } catch (IllegalArgumentException e) {
            throw BadRequest.field("type", e.getMessage());
        }
    }

    static Double confidence(String name, Double value) {
        if (value != null && (value < 0 || value > 1 || value.isNaN())) {
            throw BadRequest.field(name, "must be between 0 and 1");
        }
        return value;
    }
}
