package dev.cafstate.checkpoint.repository;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.common.json.JsonChecks;

/**
 * The catalog rows of one checkpoint document, taken from its (checked) JSON tree: the columns of its
 * {@code checkpoints} row, one thought row per step and one tool-call row per finished call, in document order.
 * Free-form members are kept as the JSON text they were (member order included).
 */
public record CatalogRows(Header header, List<Thought> thoughts, List<ToolCall> toolCalls) {

    /** Columns of the checkpoint row that come from the document. */
    public record Header(
            String executionId,
            String agentId,
            String agentName,
            long timestamp,
            String reason,
            long stepNumber,
            Long totalStepsEstimate,
            long tokensUsed,
            double durationMs,
            String parentCheckpointId,
            boolean isBranch,
            String branchReason,
            String name,
            String description,
            String schemaVersion) {}

    /** One step of the chain. */
    public record Thought(
            String id,
            int seq,
            String type,
            String content,
            String reasoning,
            double confidence,
            String parentId,
            String children,
            String alternatives,
            String metadata,
            long timestamp) {}

    /** One completed or failed call. */
    public record ToolCall(
            String id,
            int seq,
            String toolId,
            String status,
            String arguments,
            String result,
            String error,
            Double durationMs,
            long timestamp) {}

    /** The rows of a document that passed {@code CafSchema.checkpoint}. */
    public static CatalogRows of(JsonNode doc) {
        JsonNode m = doc.get("metadata");
        JsonNode parent = doc.get("parent");
        Header header = new Header(
                doc.get("execution_id").textValue(),
                doc.get("agent_id").textValue(),
                text(m.get("agent_name")),
                JsonChecks.jsInteger(doc.get("timestamp")),
                m.get("checkpoint_reason").textValue(),
                JsonChecks.jsInteger(m.get("step_number")),
                m.has("total_steps_estimate") ? JsonChecks.jsInteger(m.get("total_steps_estimate")) : null,
                JsonChecks.jsInteger(m.get("tokens_used")),
                JsonChecks.jsNumber(m.get("duration_ms")),
                parent == null ? null : parent.get("checkpoint_id").textValue(),
                parent != null
                        && parent.has("is_branch")
                        && parent.get("is_branch").booleanValue(),
                parent == null ? null : text(parent.get("branch_reason")),
                text(doc.get("name")),
                text(doc.get("description")),
                doc.get("version").textValue());
        JsonNode snapshot = doc.get("snapshot");
        JsonNode steps = snapshot.get("thought_chain").get("steps");
        List<Thought> thoughts = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            JsonNode s = steps.get(i);
            thoughts.add(new Thought(
                    s.get("id").textValue(),
                    i + 1,
                    s.get("type").textValue(),
                    s.get("content").textValue(),
                    text(s.get("reasoning")),
                    JsonChecks.jsNumber(s.get("confidence")),
                    text(s.get("parent_id")),
                    json(s.get("children")),
                    json(s.get("alternatives")),
                    json(s.get("metadata")),
                    JsonChecks.jsInteger(s.get("timestamp"))));
        }
        List<ToolCall> calls = new ArrayList<>();
        for (String list : new String[] {"completed", "failed"}) {
            for (JsonNode t : snapshot.get("tool_state").get(list)) {
                calls.add(new ToolCall(
                        t.get("id").textValue(),
                        calls.size() + 1,
                        t.get("tool_id").textValue(),
                        t.get("status").textValue(),
                        json(t.get("arguments")),
                        json(t.get("result")),
                        text(t.get("error")),
                        t.has("duration_ms") ? JsonChecks.jsNumber(t.get("duration_ms")) : null,
                        JsonChecks.jsInteger(t.get("timestamp"))));
            }
        }
        return new CatalogRows(header, thoughts, calls);
    }

    /** The summary of the checkpoint these rows belong to, as its row will read. */
    public CheckpointSummary summary(String id, CheckpointRepository.StoredObjectRef object) {
        Header h = header;
        return new CheckpointSummary(
                id,
                h.executionId(),
                h.agentId(),
                h.timestamp(),
                h.reason(),
                h.stepNumber(),
                h.tokensUsed(),
                h.durationMs(),
                h.parentCheckpointId(),
                h.isBranch(),
                h.name(),
                h.description(),
                object.objectKey(),
                object.sha256(),
                object.sizeBytes(),
                h.schemaVersion(),
                new CheckpointSummary.Counts(thoughts.size(), toolCalls.size()));
    }

    private static String text(JsonNode v) {
        return v == null ? null : v.textValue();
    }

    /** The member as JSON text (a JSON null as {@code null}), or SQL NULL when it is left out. */
    private static String json(JsonNode v) {
        return v == null ? null : v.toString();
    }
}
