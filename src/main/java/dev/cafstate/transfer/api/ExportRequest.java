package dev.cafstate.transfer.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/**
 * Body of {@code POST /exports}: a location, and exactly one of an execution (all its checkpoints), checkpoint ids,
 * or query filters (those of {@code GET /checkpoints}).
 */
public record ExportRequest(String location, String executionId, List<String> checkpointIds, Filters query) {

    /** Most checkpoints named by id in one request. */
    public static final int MAX_IDS = 10_000;

    /** The filters of {@code GET /checkpoints}. */
    public record Filters(
            String executionId,
            String agentId,
            String reason,
            String toolId,
            String thoughtType,
            Double minConfidence,
            Double maxConfidence,
            String q,
            Long from,
            Long to) {}

    private static final Set<String> MEMBERS = Set.of("location", "execution_id", "checkpoint_ids", "query");
    private static final Set<String> FILTERS = Set.of(
            "execution_id",
            "agent_id",
            "reason",
            "tool_id",
            "thought_type",
            "min_confidence",
            "max_confidence",
            "q",
            "from",
            "to");

    public static ExportRequest from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.onlyMembers(body, "", MEMBERS, "location and one of execution_id, checkpoint_ids, query");
            c.string(c.required(body, "location", ""), "location");
            c.id(c.optional(body, "execution_id", ""), "execution_id");
            JsonNode ids = c.optional(body, "checkpoint_ids", "");
            if (c.array(ids, "checkpoint_ids")) {
                if (ids.isEmpty() || ids.size() > MAX_IDS) {
                    c.fail("checkpoint_ids", "must name 1 to " + MAX_IDS + " checkpoints");
                }
                for (int i = 0; i < ids.size(); i++) {
                    c.id(ids.get(i), JsonChecks.at("checkpoint_ids", i));
                }
            }
            JsonNode q = c.optional(body, "query", "");
            if (c.object(q, "query")) {
                c.onlyMembers(q, "query", FILTERS, "the filters of GET /checkpoints");
                for (String text : List.of("execution_id", "agent_id", "reason", "tool_id", "thought_type", "q")) {
                    c.string(c.optional(q, text, "query"), JsonChecks.at("query", text));
                }
                c.number(c.optional(q, "min_confidence", "query"), "query.min_confidence", 0, 1);
                c.number(c.optional(q, "max_confidence", "query"), "query.max_confidence", 0, 1);
                c.integer(c.optional(q, "from", "query"), "query.from", 0);
                c.integer(c.optional(q, "to", "query"), "query.to", 0);
            }
            int selectors = (body.has("execution_id") ? 1 : 0)
                    + (body.has("checkpoint_ids") ? 1 : 0)
                    + (body.has("query") ? 1 : 0);
            if (selectors != 1) {
                c.fail("", "name exactly one of execution_id, checkpoint_ids, query");
            }
        }
        c.throwIfAny();
        List<String> ids = null;
        if (body.has("checkpoint_ids")) {
            ids = new ArrayList<>();
            for (JsonNode id : body.get("checkpoint_ids")) {
                ids.add(id.textValue());
            }
        }
        Filters filters = null;
        JsonNode q = body.get("query");
        if (q != null) {
            filters = new Filters(
                    text(q, "execution_id"),
                    text(q, "agent_id"),
                    text(q, "reason"),
                    text(q, "tool_id"),
                    text(q, "thought_type"),
                    q.has("min_confidence") ? q.get("min_confidence").doubleValue() : null,
                    q.has("max_confidence") ? q.get("max_confidence").doubleValue() : null,
                    text(q, "q"),
                    q.has("from") ? JsonChecks.jsInteger(q.get("from")) : null,
                    q.has("to") ? JsonChecks.jsInteger(q.get("to")) : null);
        }
        return new ExportRequest(body.get("location").textValue(), text(body, "execution_id"), ids, filters);
    }

    static String text(JsonNode node, String member) {
        JsonNode v = node.get(member);
        return v == null ? null : v.textValue();
    }
}
