package dev.cafstate.common.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import dev.cafstate.common.error.BadRequest;

/** Parsing of query parameters (a bad value is a 400 naming the parameter) and encoding of ids into URLs. */
public final class QueryParams {

    private QueryParams() {}

    /** An id as one URL path segment. */
    public static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * A query parameter naming one value of an enum of the API, e.g. {@code wire("status", s, ExecutionStatus::of)};
     * null when absent, a 400 naming the parameter when unknown.
     */
    public static <T> T wire(String name, String value, Function<String, T> parse) {
        try {
            return value == null ? null : parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw BadRequest.field(name, e.getMessage());
        }
    }

    public static Double confidence(String name, Double value) {
        if (value != null && (value < 0 || value > 1 || value.isNaN())) {
            throw BadRequest.field(name, "must be between 0 and 1");
        }
        return value;
    }
}
