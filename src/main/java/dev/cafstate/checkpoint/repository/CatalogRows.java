package dev.cafstate.checkpoint.repository;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.common.json.JsonChecks;

/**
 * The catalog rows of one checkpoint document, taken from its (checked) JSON tree: the columns of its
 * {@code checkpoints} row, one thought row per step and one tool-call row per finished call, in document order.
 * Free-form members are kept as the JSON text they were (member order included). Each row carries the SHA-256 of its
 * content ({@link #hash}): a row of the execution's previous checkpoint with the same position, id and hash is the
 * same row, and is shared instead of written again.
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
            long timestamp,
            byte[] hash) {}

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
            long timestamp,
            byte[] hash) {}

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
            String id = s.get("id").textValue();
            String type = s.get("type").textValue();
            String content = s.get("content").textValue();
            String reasoning = text(s.get("reasoning"));
            double confidence = JsonChecks.jsNumber(s.get("confidence"));
            String parentId = text(s.get("parent_id"));
            String children = json(s.get("children"));
            String alternatives = json(s.get("alternatives"));
            String metadata = json(s.get("metadata"));
            long timestamp = JsonChecks.jsInteger(s.get("timestamp"));
            thoughts.add(new Thought(
                    id,
                    i + 1,
                    type,
                    content,
                    reasoning,
                    confidence,
                    parentId,
                    children,
                    alternatives,
                    metadata,
                    timestamp,
                    hash(
                            id,
                            type,
                            content,
                            reasoning,
                            Double.toString(confidence),
                            parentId,
                            children,
                            alternatives,
                            metadata,
                            Long.toString(timestamp))));
        }
        List<ToolCall> calls = new ArrayList<>();
        for (String list : new String[] {"completed", "failed"}) {
            for (JsonNode t : snapshot.get("tool_state").get(list)) {
                String id = t.get("id").textValue();
                String toolId = t.get("tool_id").textValue();
                String status = t.get("status").textValue();
                String arguments = json(t.get("arguments"));
                String result = json(t.get("result"));
                String error = text(t.get("error"));
                Double durationMs = t.has("duration_ms") ? JsonChecks.jsNumber(t.get("duration_ms")) : null;
                long timestamp = JsonChecks.jsInteger(t.get("timestamp"));
                calls.add(new ToolCall(
                        id,
                        calls.size() + 1,
                        toolId,
                        status,
                        arguments,
                        result,
                        error,
                        durationMs,
                        timestamp,
                        hash(
                                id,
                                toolId,
                                status,
                                arguments,
                                result,
                                error,
                                durationMs == null ? null : durationMs.toString(),
                                Long.toString(timestamp))));
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

    /**
     * SHA-256 of a row's column values: each value is framed by its length (or marked as missing), so no two rows
     * with different values share the bytes hashed.
     */
    static byte[] hash(String... values) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer frame = ByteBuffer.allocate(Integer.BYTES);
        for (String v : values) {
            frame.clear();
            if (v == null) {
                frame.putInt(-1);
                digest.update(frame.array());
                continue;
            }
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            frame.putInt(bytes.length);
            digest.update(frame.array());
            digest.update(bytes);
        }
        return digest.digest();
    }

    private static String text(JsonNode v) {
        return v == null ? null : v.textValue();
    }

    /** The member as JSON text (a JSON null as {@code null}), or SQL NULL when it is left out. */
    private static String json(JsonNode v) {
        return v == null ? null : v.toString();
    }
}
