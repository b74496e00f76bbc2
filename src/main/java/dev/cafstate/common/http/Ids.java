package dev.cafstate.common.http;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.json.JsonChecks;

/**
 * Ids taken from request paths. Ids in bodies are checked by {@link JsonChecks#id} (non-empty, at most
 * {@code caf.limits.max-id-bytes}); a path id longer than that cannot exist, so it is simply not found. A path id
 * must be non-empty and free of control characters (400 otherwise).
 */
public final class Ids {

    /** Sanity bound on a path id (far above any id that can be stored). */
    static final int MAX_PATH_BYTES = 4096;

    private Ids() {}

    /** Checks an id taken from a path segment; a bad one is a 400. */
    public static String path(String name, String id) {
        String problem = problem(id);
        if (problem != null) {
            throw BadRequest.field(name, problem);
        }
        return id;
    }

    /**
     * Checks a memory key taken from a path: any non-empty string PostgreSQL can store, within the configured
     * limit (CAF itself bounds neither).
     */
    public static String memoryKey(String key, int maxBytes) {
        if (key == null || key.isEmpty()) {
            throw BadRequest.field("key", "must not be empty");
        }
        String problem = JsonChecks.textProblem(key);
        if (problem != null) {
            throw BadRequest.field("key", problem);
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw BadRequest.field(
                    "key",
                    "must be at most " + maxBytes + " bytes in UTF-8 (caf.limits.max-memory-key-bytes); it has "
                            + bytes);
        }
        return key;
    }

    /** A new random id for objects the client did not name. */
    public static String generate() {
        return UUID.randomUUID().toString();
    }

    static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "must not be empty";
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return "must not contain control characters";
            }
        }
        String text = JsonChecks.textProblem(id);
        if (text != null) {
            return text;
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return "is longer than any id this service stores";
        }
        return null;
    }
}
