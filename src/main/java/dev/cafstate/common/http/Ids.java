package dev.cafstate.common.http;

import java.util.UUID;

import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.error.InvalidInput;

/** The id rules of the API: any non-empty string of at most 128 characters, without control characters. */
public final class Ids {

    /** Longest id accepted anywhere. */
    public static final int MAX_LENGTH = 128;

    private Ids() {
    }

    /** Checks an id taken from a path segment; a bad one is a 400. */
    public static String path(String name, String id) {
        String problem = problem(id);
        if (problem != null) {
            throw BadRequest.field(name, problem);
        }
        return id;
    }

    /** Checks an id taken from a body; a bad one is a 422. */
    public static String body(String field, String id) {
        String problem = problem(id);
        if (problem != null) {
            throw InvalidInput.field(field, problem);
        }
        return id;
    }

    /** A new random id for objects the client did not name. */
    public static String generate() {
        return UUID.randomUUID().toString();
    }

    static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "must not be empty";
        }
        if (id.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return "must not contain control characters";
            }
        }
        return null;
    }
}
