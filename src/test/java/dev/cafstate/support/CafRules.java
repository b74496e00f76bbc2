package dev.cafstate.support;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The CAF 0.0.1 schema rules of {@code caf-format.md}, checked strictly on a JSON tree: required members, types,
 * enums, ranges, integer timestamps, and no {@code null} for optional members. Returns every breach found.
 */
public final class CafRules {

    static final Set<String> THOUGHT_TYPES = Set.of(
            "planning",
            "reasoning",
            "tool_selection",
            "tool_execution",
            "reflection",
            "decision",
            "observation",
            "correction");
    static final Set<String> ROLES = Set.of("user", "assistant", "system", "tool");
    static final Set<String> TOOL_STATUSES = Set.of("pending", "running", "completed", "failed", "cancelled");
    static final Set<String> REASONS =
            Set.of("step_complete", "manual", "low_confidence", "tool_error", "auto", "decision", "branch");

    private final List<String> errors = new ArrayList<>();

    private CafRules() {}

    /** Breaches of a whole checkpoint document. */
    public static List<String> checkpoint(JsonNode doc) {
        CafRules r = new CafRules();
        r.object(doc, "$");
        r.literal(doc, "version", "0.0.1");
        r.string(doc, "id", true);
        r.integer(doc, "timestamp", true, 0);
        r.string(doc, "execution_id", true);
        r.string(doc, "agent_id", true);
        r.snapshotParts(doc.get("snapshot"), "snapshot");
        JsonNode m = doc.get("metadata");
        if (r.object(m, "metadata")) {
            r.integer(m, "step_number", true, 0);
            r.integer(m, "total_steps_estimate", false, 1);
            r.integer(m, "tokens_used", true, 0);
            r.number(m, "duration_ms", true, 0, Double.MAX_VALUE);
            r.oneOf(m, "checkpoint_reason", REASONS, true);
            r.string(m, "agent_name", false);
            r.string(m, "agent_id", true);
        }
        r.noNulls(doc, "$", Set.of("snapshot", "metadata", "diff"));
        return r.errors;
    }

    /** Breaches of a {@code {thought_chain, context, tool_state, progress}} state document. */
    public static List<String> state(JsonNode state) {
        CafRules r = new CafRules();
        r.snapshotParts(state, "state");
        return r.errors;
    }

    private void snapshotParts(JsonNode s, String path) {
        if (!object(s, path)) {
            return;
        }
        JsonNode chain = s.get("thought_chain");
        if (object(chain, path + ".thought_chain")) {
            string(chain, "current_step_id", false);
            JsonNode steps = chain.get("steps");
            if (array(steps, path + ".thought_chain.steps")) {
                for (int i = 0; i < steps.size(); i++) {
                    step(steps.get(i), path + ".thought_chain.steps[" + i + "]");
                }
            }
        }
        JsonNode ctx = s.get("context");
        if (object(ctx, path + ".context")) {
            JsonNode messages = ctx.get("messages");
            if (array(messages, path + ".context.messages")) {
                for (int i = 0; i < messages.size(); i++) {
                    JsonNode msg = messages.get(i);
                    String p = path + ".context.messages[" + i + "]";
                    if (object(msg, p)) {
                        oneOf(msg, "role", ROLES, true);
                        string(msg, "content", true);
                        integer(msg, "timestamp", false, 0);
                        // tool_calls and tool_results are z.any(): anything, null included
                    }
                }
            }
            object(ctx.get("variables"), path + ".context.variables");
            JsonNode memory = ctx.get("memory");
            if (memory != null && array(memory, path + ".context.memory")) {
                for (int i = 0; i < memory.size(); i++) {
                    JsonNode e = memory.get(i);
                    if (object(e, path + ".context.memory[" + i + "]")) {
                        string(e, "key", true);
                        // value is z.any(): it may even be missing
                        number(e, "importance", true, 0, 1);
                        integer(e, "timestamp", true, 0);
                    }
                }
            }
        }
        JsonNode tools = s.get("tool_state");
        if (object(tools, path + ".tool_state")) {
            string(tools, "last_tool_call_id", false);
            for (String list : List.of("pending", "running")) {
                JsonNode ids = tools.get(list);
                if (array(ids, path + ".tool_state." + list)) {
                    ids.forEach(id -> {
                        if (!id.isTextual()) {
                            errors.add(path + ".tool_state." + list + " holds a non-string");
                        }
                    });
                }
            }
            for (String list : List.of("completed", "failed")) {
                JsonNode calls = tools.get(list);
                if (array(calls, path + ".tool_state." + list)) {
                    for (int i = 0; i < calls.size(); i++) {
                        toolCall(calls.get(i), path + ".tool_state." + list + "[" + i + "]");
                    }
                }
            }
        }
        JsonNode p = s.get("progress");
        if (object(p, path + ".progress")) {
            integer(p, "step_number", true, 0);
            integer(p, "total_steps_estimate", false, 1);
            integer(p, "iterations_completed", true, 0);
            integer(p, "tokens_used", true, 0);
            number(p, "duration_ms", true, 0, Double.MAX_VALUE);
        }
    }

    private void step(JsonNode step, String path) {
        if (!object(step, path)) {
            return;
        }
        string(step, "id", true);
        oneOf(step, "type", THOUGHT_TYPES, true);
        string(step, "content", true);
        string(step, "reasoning", false);
        number(step, "confidence", true, 0, 1);
        string(step, "parent_id", false);
        integer(step, "timestamp", true, 0);
        JsonNode children = step.get("children");
        if (array(children, path + ".children")) {
            children.forEach(c -> {
                if (!c.isTextual()) {
                    errors.add(path + ".children holds a non-string");
                }
            });
        }
        JsonNode alternatives = step.get("alternatives");
        if (alternatives != null && array(alternatives, path + ".alternatives")) {
            for (int i = 0; i < alternatives.size(); i++) {
                JsonNode a = alternatives.get(i);
                if (object(a, path + ".alternatives[" + i + "]")) {
                    string(a, "option", true);
                    string(a, "reason_rejected", true);
                    number(a, "confidence", false, -Double.MAX_VALUE, Double.MAX_VALUE);
                }
            }
        }
        if (step.has("metadata")) {
            object(step.get("metadata"), path + ".metadata");
        }
    }

    private void toolCall(JsonNode call, String path) {
        if (!object(call, path)) {
            return;
        }
        string(call, "id", true);
        string(call, "tool_id", true);
        object(call.get("arguments"), path + ".arguments");
        oneOf(call, "status", TOOL_STATUSES, true);
        string(call, "error", false);
        number(call, "duration_ms", false, 0, Double.MAX_VALUE);
        integer(call, "timestamp", true, 0);
    }

    private boolean object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            errors.add(path + " must be an object");
            return false;
        }
        return true;
    }

    private boolean array(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            errors.add(path + " must be an array");
            return false;
        }
        return true;
    }

    private void literal(JsonNode parent, String field, String value) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isTextual() || !v.asText().equals(value)) {
            errors.add(field + " must be \"" + value + "\"");
        }
    }

    private void string(JsonNode parent, String field, boolean required) {
        JsonNode v = parent.get(field);
        if (v == null) {
            if (required) {
                errors.add(field + " is missing");
            }
        } else if (!v.isTextual()) {
            errors.add(field + " must be a string");
        }
    }

    private void oneOf(JsonNode parent, String field, Set<String> values, boolean required) {
        string(parent, field, required);
        JsonNode v = parent.get(field);
        if (v != null && v.isTextual() && !values.contains(v.asText())) {
            errors.add(field + " has unknown value " + v.asText());
        }
    }

    private void integer(JsonNode parent, String field, boolean required, long min) {
        JsonNode v = parent.get(field);
        if (v == null) {
            if (required) {
                errors.add(field + " is missing");
            }
        } else if (!v.isIntegralNumber() || v.asLong() < min) {
            errors.add(field + " must be an integer >= " + min);
        }
    }

    private void number(JsonNode parent, String field, boolean required, double min, double max) {
        JsonNode v = parent.get(field);
        if (v == null) {
            if (required) {
                errors.add(field + " is missing");
            }
        } else if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            errors.add(field + " must be a number in [" + min + ", " + max + "]");
        }
    }

    private void notNull(JsonNode parent, String path, String... fields) {
        for (String f : fields) {
            if (parent.has(f) && parent.get(f).isNull()) {
                errors.add(path + "." + f + " is null");
            }
        }
    }

    /** Optional members of the fixed shapes must be left out rather than null. */
    private void noNulls(JsonNode node, String path, Set<String> skip) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (node.get(f).isNull() && !skip.contains(f)) {
                errors.add(path + "." + f + " is null");
            }
        }
    }
}
