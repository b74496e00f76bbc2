package dev.cafstate.common.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import dev.cafstate.caf.CheckpointReason;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.runtime.api.ExecutionStatus;

/** Parsing of query parameters (a bad value is a 400 naming the parameter) and encoding of ids into URLs. */
public final class QueryParams {

    private QueryParams() {
    }

    /** An id as one URL path segment. */
    public static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static ExecutionStatus status(String value) {
        try {
            return value == null ? null : ExecutionStatus.of(value);
        } catch (IllegalArgumentException e) {
            throw BadRequest.field("status", e.getMessage());
        }
    }

    public static ThoughtType thoughtType(String name, String value) {
        try {
            return value == null ? null : ThoughtType.of(value);
        } catch (IllegalArgumentException e) {
            throw BadRequest.field(name, e.getMessage());
        }
    }

    public static CheckpointReason reason(String value) {
        try {
            return value == null ? null : CheckpointReason.of(value);
        } catch (IllegalArgumentException e) {
            throw BadRequest.field("reason", e.getMessage());
        }
    }

    public static Double confidence(String name, Double value) {
        if (value != null && (value < 0 || value > 1 || value.isNaN())) {
            throw BadRequest.field(name, "must be between 0 and 1");
        }
        return value;
    }
}
