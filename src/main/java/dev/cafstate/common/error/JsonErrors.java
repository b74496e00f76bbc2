package dev.cafstate.common.error;

import com.fasterxml.jackson.databind.JsonMappingException;

/** Field path and client-readable message of a Jackson mapping failure (no Java type names). */
public final class JsonErrors {

    private JsonErrors() {}

    /** The JSON path of the failing value, e.g. {@code steps[2].type}; empty for the root. */
    public static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** What is wrong with the value, e.g. "must be one of planning, reasoning, ...". */
    public static String message(JsonMappingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        String m = e.getOriginalMessage() == null ? "invalid value" : e.getOriginalMessage();
        if (m.contains("Cannot deserialize value of type") || m.contains("Cannot coerce")) {
            return "has the wrong type";
        }
        if (m.contains("Unexpected end-of-input") || m.contains("No content")) {
            return "is missing";
        }
        return m.split("\n")[0]
                .replaceAll("`[\\w.$]+`", "value")
                .replaceAll("\\([^)]*\\)", "")
                .trim();
    }
}
