package dev.cafstate.checkpoint.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.checkpoint.api.CheckpointDiffView;

/**
 * What changed from one checkpoint document to another, in CAF's diff shape: member paths (sorted, dotted from
 * {@code snapshot}, {@code metadata} and the top-level names) with {@code before}/{@code after}, a member missing on
 * one side being {@code null} there. The lists of steps, finished tool calls and messages are reported as a
 * {@code .length} change rather than item by item, and the ids of steps and tool calls that are new are listed.
 */
public final class CheckpointDiffer {

    /** Parts of the snapshot reported as added ids (or a length change) rather than member by member. */
    private static final Set<String> LISTS = Set.of(
            "snapshot.thought_chain.steps",
            "snapshot.tool_state.completed",
            "snapshot.tool_state.failed",
            "snapshot.context.messages");

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private CheckpointDiffer() {}

    /** The diff from {@code before} (checkpoint {@code fromId}) to {@code after}, both CAF checkpoint trees. */
    public static CheckpointDiffView diff(String fromId, JsonNode before, JsonNode after) {
        ObjectNode changes = F.objectNode();
        compare("snapshot", before.get("snapshot"), after.get("snapshot"), changes);
        compare("metadata", before.get("metadata"), after.get("metadata"), changes);
        for (String member : List.of("name", "description", "agent_id", "execution_id")) {
            compare(member, before.get(member), after.get(member), changes);
        }
        List<String> thoughts =
                added(before.at("/snapshot/thought_chain/steps"), after.at("/snapshot/thought_chain/steps"));
        List<String> tools = added(calls(before), calls(after));
        String summary = thoughts.size() + " thought(s) added, " + tools.size() + " tool call(s) added, "
                + changes.size() + " field(s) changed";
        return new CheckpointDiffView(fromId, changes, summary, thoughts, tools);
    }

    private static void compare(String path, JsonNode before, JsonNode after, ObjectNode changes) {
        if (before == null ? after == null : before.equals(after)) {
            return;
        }
        if (LISTS.contains(path)) {
            int b = before == null ? 0 : before.size();
            int a = after == null ? 0 : after.size();
            if (b != a) {
                change(changes, path + ".length", F.numberNode(b), F.numberNode(a));
            }
            return;
        }
        if (before != null && after != null && before.isObject() && after.isObject()) {
            Set<String> names = new HashSet<>();
            before.fieldNames().forEachRemaining(names::add);
            after.fieldNames().forEachRemaining(names::add);
            names.stream().sorted().forEach(n -> compare(path + "." + n, before.get(n), after.get(n), changes));
            return;
        }
        change(changes, path, before, after);
    }

    private static void change(ObjectNode changes, String path, JsonNode before, JsonNode after) {
        ObjectNode c = changes.putObject(path);
        c.set("before", before == null ? F.nullNode() : before);
        c.set("after", after == null ? F.nullNode() : after);
    }

    private static JsonNode calls(JsonNode doc) {
        ArrayNode all = F.arrayNode();
        all.addAll((ArrayNode) doc.at("/snapshot/tool_state/completed"));
        all.addAll((ArrayNode) doc.at("/snapshot/tool_state/failed"));
        return all;
    }

    private static List<String> added(JsonNode before, JsonNode after) {
        Set<String> old = new HashSet<>();
        before.forEach(item -> old.add(item.path("id").asText()));
        List<String> ids = new ArrayList<>();
        for (Iterator<JsonNode> it = after.elements(); it.hasNext(); ) {
            String id = it.next().path("id").asText();
            if (!old.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }
}
