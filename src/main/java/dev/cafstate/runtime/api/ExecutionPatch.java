package dev.cafstate.runtime.api;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/** Body of {@code PATCH /executions/{id}}: a merge patch of {@code status} and/or {@code metadata}. */
public record ExecutionPatch(ExecutionStatus status, boolean patchesMetadata, JsonNode metadata) {

    private static final Set<String> MEMBERS = Set.of("status", "metadata");

    /** Reads and checks the patch; {@code metadata: null} removes the metadata. */
    public static ExecutionPatch from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (!body.isObject() || body.isEmpty()) {
            c.fail("body", "must be a JSON object with status and/or metadata");
            c.throwIfAny();
        }
        c.onlyMembers(body, "", MEMBERS, "cannot be changed; only status and metadata can be patched");
        JsonNode status = body.get("status");
        if (status != null) {
            c.oneOf(status, "status", ExecutionStatus.WIRE);
        }
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            c.object(metadata, "metadata");
        }
        c.throwIfAny();
        return new ExecutionPatch(
                status == null ? null : ExecutionStatus.of(status.textValue()), metadata != null, metadata);
    }
}
