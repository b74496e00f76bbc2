package dev.cafstate.runtime.rest;

/** Descriptions shared by the OpenAPI annotations of the runtime resources. */
final class ApiDoc {

    static final String PROBLEM = "application/problem+json";
    static final String IF_MATCH = "Expected state version (the ETag of an earlier response); 412 when stale";
    static final String NOT_FOUND = "No such execution (or it belongs to another tenant)";
    static final String INVALID = "Valid JSON that breaks the CAF schema or a rule of this API (field errors)";
    static final String MALFORMED = "Malformed JSON, bad id, cursor or parameter";
    static final String FINISHED =
            "The execution is finished (completed/failed/cancelled), or a conflicting id/transition";
    static final String STALE = "If-Match does not match the current state version";
    static final String UNAVAILABLE =
            "PostgreSQL is unavailable, or this replica is shutting down; nothing was changed; retry after Retry-After"
                    + " seconds";

    private ApiDoc() {}
}
