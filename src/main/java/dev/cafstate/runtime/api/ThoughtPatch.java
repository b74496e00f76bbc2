package dev.cafstate.runtime.api;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/**
 * Body of {@code PATCH .../thoughts/{step_id}}: a merge patch of {@code content, reasoning, confidence,
 * alternatives, metadata}. {@code set*} says whether the member was present; {@code null} removes the optional ones
 * ({@code content} and {@code confidence} are required by CAF and cannot be removed).
 */
public record ThoughtPatch(
        boolean setContent,
        String content,
        boolean setReasoning,
        String reasoning,
        Double confidence,
        boolean setAlternatives,
        JsonNode alternatives,
        boolean setMetadata,
        JsonNode metadata) {

    private static final Set<String> PATCHABLE =
            Set.of("content", "reasoning", "confidence", "alternatives", "metadata");

    public static ThoughtPatch from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (!body.isObject() || body.isEmpty()) {
            c.fail("body", "must be a non-empty JSON object");
            c.throwIfAny();
        }
        c.onlyMembers(
                body,
                "",
                PATCHABLE,
                "cannot be changed; patchable: content, reasoning, confidence, " + "alternatives, metadata");
        JsonNode content = body.get("content");
        if (content != null && !content.isTextual()) {
            c.fail("content", "must be a string (it is required, so it cannot be removed)");
        }
        JsonNode reasoning = body.get("reasoning");
        if (reasoning != null && !reasoning.isNull()) {
            c.string(reasoning, "reasoning");
        }
        JsonNode confidence = body.get("confidence");
        if (confidence != null) {
            c.number(confidence, "confidence", 0, 1);
        }
        JsonNode alternatives = body.get("alternatives");
        if (alternatives != null && !alternatives.isNull()) {
            CafSchema.alternatives(c, alternatives, "alternatives");
        }
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            c.object(metadata, "metadata");
        }
        c.throwIfAny();
        return new ThoughtPatch(
                content != null,
                content == null ? null : content.textValue(),
                reasoning != null,
                reasoning == null || reasoning.isNull() ? null : reasoning.textValue(),
                confidence == null ? null : JsonChecks.jsNumber(confidence),
                alternatives != null,
                alternatives == null || alternatives.isNull() ? null : alternatives,
                metadata != null,
                metadata);
    }
}
