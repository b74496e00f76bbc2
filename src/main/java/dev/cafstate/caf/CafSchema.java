package dev.cafstate.caf;

import static dev.cafstate.common.json.JsonChecks.at;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.json.JsonChecks;

/**
 * CAF 0.0.1 as its SDK's Zod schemas check it ({@code packages/shared/src/schemas/*.ts}), on JSON trees: required and
 * optional members ({@code null} only where the type is {@code any}), exact JSON types, enums, ranges and integers.
 * Unknown members are accepted (Zod strips them; pushed documents keep them). On top come the rules of this
 * service's runtime model, without which a document is accepted but cannot be restored: ids unique within their
 * lists ({@link #restorable}).
 */
public final class CafSchema {

    public static final String VERSION = "0.0.1";
    public static final Set<String> THOUGHT_TYPES = wire(ThoughtType.values());
    public static final Set<String> ROLES = wire(MessageRole.values());
    public static final Set<String> TOOL_STATUSES = wire(ToolCallStatus.values());
    public static final Set<String> REASONS = wire(CheckpointReason.values());

    private static final double MAX = Double.MAX_VALUE;

    private CafSchema() {}

    /** How strictly a thought step is read. */
    public enum StepInput {
        /** Inside a document or a seed: every member CAF requires. */
        DOCUMENT,
        /**
         * Appended through the runtime API: the server fills in {@code id} and {@code timestamp} and keeps
         * {@code children}.
         */
        APPEND
    }

    /** A whole checkpoint document. */
    public static void checkpoint(JsonChecks c, JsonNode doc) {
        if (!c.object(doc, "")) {
            return;
        }
        JsonNode version = c.required(doc, "version", "");
        if (c.string(version, "version") && !VERSION.equals(version.textValue())) {
            c.fail("version", "must be \"" + VERSION + "\"");
        }
        c.id(c.required(doc, "id", ""), "id");
        c.integer(c.required(doc, "timestamp", ""), "timestamp", 0);
        c.id(c.required(doc, "execution_id", ""), "execution_id");
        c.id(c.required(doc, "agent_id", ""), "agent_id");
        JsonNode snapshot = c.required(doc, "snapshot", "");
        if (c.object(snapshot, "snapshot")) {
            thoughtChain(c, c.required(snapshot, "thought_chain", "snapshot"), "snapshot.thought_chain");
            context(c, c.required(snapshot, "context", "snapshot"), "snapshot.context");
            toolState(c, c.required(snapshot, "tool_state", "snapshot"), "snapshot.tool_state");
            progress(c, c.required(snapshot, "progress", "snapshot"), "snapshot.progress");
            restorable(c, snapshot, "snapshot");
        }
        JsonNode m = c.required(doc, "metadata", "");
        if (c.object(m, "metadata")) {
            c.integer(c.required(m, "step_number", "metadata"), "metadata.step_number", 0);
            c.integer(c.optional(m, "total_steps_estimate", "metadata"), "metadata.total_steps_estimate", 1);
            c.integer(c.required(m, "tokens_used", "metadata"), "metadata.tokens_used", 0);
            c.number(c.required(m, "duration_ms", "metadata"), "metadata.duration_ms", 0, MAX);
            c.oneOf(c.required(m, "checkpoint_reason", "metadata"), "metadata.checkpoint_reason", REASONS);
            c.string(c.optional(m, "agent_name", "metadata"), "metadata.agent_name");
            c.id(c.required(m, "agent_id", "metadata"), "metadata.agent_id");
        }
        JsonNode parent = c.optional(doc, "parent", "");
        if (c.object(parent, "parent")) {
            c.id(c.required(parent, "checkpoint_id", "parent"), "parent.checkpoint_id");
            c.bool(c.optional(parent, "is_branch", "parent"), "parent.is_branch");
            c.string(c.optional(parent, "branch_reason", "parent"), "parent.branch_reason");
        }
        JsonNode diff = c.optional(doc, "diff", "");
        if (c.object(diff, "diff")) {
            c.id(c.required(diff, "from_checkpoint_id", "diff"), "diff.from_checkpoint_id");
            JsonNode changes = c.required(diff, "changes", "diff");
            if (c.object(changes, "diff.changes")) {
                for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> change = it.next();
                    // {before: any, after: any}: both may be missing or null
                    c.object(change.getValue(), at("diff.changes", change.getKey()));
                }
            }
            c.string(c.required(diff, "summary", "diff"), "diff.summary");
        }
        c.string(c.optional(doc, "name", ""), "name");
        c.string(c.optional(doc, "description", ""), "description");
    }

    /** ThoughtChain {@code {current_step_id?, steps}}. */
    public static void thoughtChain(JsonChecks c, JsonNode chain, String path) {
        if (!c.object(chain, path)) {
            return;
        }
        c.id(c.optional(chain, "current_step_id", path), at(path, "current_step_id"));
        JsonNode steps = c.required(chain, "steps", path);
        if (c.array(steps, at(path, "steps"))) {
            for (int i = 0; i < steps.size(); i++) {
                step(c, steps.get(i), at(at(path, "steps"), i), StepInput.DOCUMENT);
            }
        }
    }

    /** ThoughtStep. */
    public static void step(JsonChecks c, JsonNode s, String path, StepInput input) {
        if (!c.object(s, path)) {
            return;
        }
        boolean document = input == StepInput.DOCUMENT;
        c.id(document ? c.required(s, "id", path) : c.optional(s, "id", path), at(path, "id"));
        c.oneOf(c.required(s, "type", path), at(path, "type"), THOUGHT_TYPES);
        c.string(c.required(s, "content", path), at(path, "content"));
        c.string(c.optional(s, "reasoning", path), at(path, "reasoning"));
        c.number(c.required(s, "confidence", path), at(path, "confidence"), 0, 1);
        alternatives(c, c.optional(s, "alternatives", path), at(path, "alternatives"));
        c.id(c.optional(s, "parent_id", path), at(path, "parent_id"));
        c.ids(document ? c.required(s, "children", path) : c.optional(s, "children", path), at(path, "children"));
        c.object(c.optional(s, "metadata", path), at(path, "metadata"));
        c.integer(
                document ? c.required(s, "timestamp", path) : c.optional(s, "timestamp", path),
                at(path, "timestamp"),
                0);
    }

    /**
     * A step's {@code alternatives}: {@code [{option, reason_rejected, confidence?}]} (that confidence is unbounded).
     */
    public static void alternatives(JsonChecks c, JsonNode alternatives, String path) {
        if (!c.array(alternatives, path)) {
            return;
        }
        for (int i = 0; i < alternatives.size(); i++) {
            JsonNode a = alternatives.get(i);
            String p = at(path, i);
            if (c.object(a, p)) {
                c.string(c.required(a, "option", p), at(p, "option"));
                c.string(c.required(a, "reason_rejected", p), at(p, "reason_rejected"));
                c.number(c.optional(a, "confidence", p), at(p, "confidence"), -MAX, MAX);
            }
        }
    }

    /** Context {@code {messages, variables, memory?}}. */
    public static void context(JsonChecks c, JsonNode ctx, String path) {
        if (!c.object(ctx, path)) {
            return;
        }
        JsonNode messages = c.required(ctx, "messages", path);
        if (c.array(messages, at(path, "messages"))) {
            for (int i = 0; i < messages.size(); i++) {
                message(c, messages.get(i), at(at(path, "messages"), i));
            }
        }
        c.object(c.required(ctx, "variables", path), at(path, "variables"));
        JsonNode memory = c.optional(ctx, "memory", path);
        if (c.array(memory, at(path, "memory"))) {
            for (int i = 0; i < memory.size(); i++) {
                memoryEntry(c, memory.get(i), at(at(path, "memory"), i));
            }
        }
    }

    /** Message {@code {role, content, tool_calls?: any, tool_results?: any, timestamp?}}. */
    public static void message(JsonChecks c, JsonNode m, String path) {
        if (!c.object(m, path)) {
            return;
        }
        c.oneOf(c.required(m, "role", path), at(path, "role"), ROLES);
        c.string(c.required(m, "content", path), at(path, "content"));
        c.integer(c.optional(m, "timestamp", path), at(path, "timestamp"), 0);
    }

    /** MemoryEntry {@code {key, value: any, importance, timestamp}}; {@code value} may be missing, as in CAF. */
    public static void memoryEntry(JsonChecks c, JsonNode e, String path) {
        if (!c.object(e, path)) {
            return;
        }
        c.memoryKey(c.required(e, "key", path), at(path, "key"));
        c.number(c.required(e, "importance", path), at(path, "importance"), 0, 1);
        c.integer(c.required(e, "timestamp", path), at(path, "timestamp"), 0);
    }

    /** ToolState {@code {last_tool_call_id?, pending, running, completed, failed}}. */
    public static void toolState(JsonChecks c, JsonNode t, String path) {
        if (!c.object(t, path)) {
            return;
        }
        c.id(c.optional(t, "last_tool_call_id", path), at(path, "last_tool_call_id"));
        c.ids(c.required(t, "pending", path), at(path, "pending"));
        c.ids(c.required(t, "running", path), at(path, "running"));
        for (String list : new String[] {"completed", "failed"}) {
            JsonNode calls = c.required(t, list, path);
            if (c.array(calls, at(path, list))) {
                for (int i = 0; i < calls.size(); i++) {
                    toolCall(c, calls.get(i), at(at(path, list), i));
                }
            }
        }
    }

    /** ToolCall {@code {id, tool_id, arguments, status, result?: any, error?, duration_ms?, timestamp}}. */
    public static void toolCall(JsonChecks c, JsonNode t, String path) {
        if (!c.object(t, path)) {
            return;
        }
        c.id(c.required(t, "id", path), at(path, "id"));
        c.id(c.required(t, "tool_id", path), at(path, "tool_id"));
        c.object(c.required(t, "arguments", path), at(path, "arguments"));
        c.oneOf(c.required(t, "status", path), at(path, "status"), TOOL_STATUSES);
        c.string(c.optional(t, "error", path), at(path, "error"));
        c.number(c.optional(t, "duration_ms", path), at(path, "duration_ms"), 0, MAX);
        c.integer(c.required(t, "timestamp", path), at(path, "timestamp"), 0);
    }

    /** ExecutionProgress. */
    public static void progress(JsonChecks c, JsonNode p, String path) {
        if (!c.object(p, path)) {
            return;
        }
        c.integer(c.required(p, "step_number", path), at(path, "step_number"), 0);
        c.integer(c.optional(p, "total_steps_estimate", path), at(path, "total_steps_estimate"), 1);
        c.integer(c.required(p, "iterations_completed", path), at(path, "iterations_completed"), 0);
        c.integer(c.required(p, "tokens_used", path), at(path, "tokens_used"), 0);
        c.number(c.required(p, "duration_ms", path), at(path, "duration_ms"), 0, MAX);
    }

    /**
     * The runtime model's rules beyond CAF's (whose Zod schema accepts these and whose SQLite store then fails half
     * written): step ids, memory keys and tool-call ids are unique, and a tool call sits in one list only. Only
     * members that passed their type checks are compared.
     */
    public static void restorable(JsonChecks c, JsonNode parts, String path) {
        JsonNode steps = parts.path("thought_chain").path("steps");
        unique(c, steps, "id", at(path, "thought_chain.steps"), "step id");
        JsonNode memory = parts.path("context").path("memory");
        unique(c, memory, "key", at(path, "context.memory"), "memory key");
        JsonNode tools = parts.path("tool_state");
        Map<String, String> seen = new HashMap<>();
        for (String list : new String[] {"pending", "running", "completed", "failed"}) {
            JsonNode items = tools.path(list);
            for (int i = 0; i < items.size(); i++) {
                JsonNode id =
                        items.get(i).isTextual() ? items.get(i) : items.get(i).path("id");
                if (id.isTextual()) {
                    String p = at(at(at(path, "tool_state"), list), i);
                    String first = seen.putIfAbsent(id.textValue(), p);
                    if (first != null) {
                        c.fail(
                                p,
                                "the tool call id '" + id.textValue() + "' is already at " + first
                                        + " (a call sits in one tool-state list, once)");
                    }
                }
            }
        }
    }

    private static void unique(JsonChecks c, JsonNode items, String member, String path, String what) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode v = items.get(i).path(member);
            if (v.isTextual() && !seen.add(v.textValue())) {
                c.fail(at(at(path, i), member), "the " + what + " '" + v.textValue() + "' appears twice");
            }
        }
    }

    private static Set<String> wire(WireEnum[] values) {
        return Arrays.stream(values).map(WireEnum::wire).collect(Collectors.toUnmodifiableSet());
    }
}
