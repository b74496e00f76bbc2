package dev.cafstate.common.json;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** RFC 7396 JSON merge patch on Jackson trees (the database has the same function for its own columns). */
public final class MergePatch {

    private MergePatch() {}

    /** {@code target} patched by {@code patch}; neither argument is modified. A null result means "removed". */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return patch == null || patch.isNull() ? null : patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            if (member.getValue().isNull()) {
                result.remove(member.getKey());
            } else {
                JsonNode merged = apply(result.get(member.getKey()), member.getValue());
                result.set(member.getKey(), merged);
            }
        }
        return result;
    }
}
