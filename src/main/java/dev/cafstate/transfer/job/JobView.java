package dev.cafstate.transfer.job;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A transfer job as {@code GET /exports/{job}} and {@code GET /imports/{job}} show it. Counts are of checkpoint
 * objects: {@code done} of {@code total} were handled, as {@code exported}, {@code imported}, {@code skipped} (already
 * there, the same content), {@code conflicts} (the same id with other content: never overwritten) or {@code failed};
 * {@code incomplete} objects were listed but no manifest names them (a half-written export). {@code errors} lists the
 * first failures and conflicts with their reasons.
 */
public record JobView(
        String id,
        String kind,
        String status,
        String location,
        String source,
        boolean dryRun,
        boolean resume,
        long total,
        long done,
        long pending,
        long exported,
        long imported,
        long skipped,
        long conflicts,
        long failed,
        long incomplete,
        long manifests,
        List<ItemError> errors,
        JsonNode result,
        String error,
        long createdAt,
        Long finishedAt) {

    /** One object that failed, conflicted or was left incomplete. */
    public record ItemError(String key, String checkpointId, String status, String reason) {}

    public boolean finished() {
        return status.equals("succeeded") || status.equals("failed");
    }
}
