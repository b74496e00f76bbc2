package dev.cafstate.transfer.handoff;

/** A handoff as {@code GET /executions/{id}/handoff} shows it. */
public record HandoffView(
        String id,
        String executionId,
        String location,
        String targetCluster,
        long epoch,
        String state,
        String finalCheckpointId,
        String exportJobId,
        String manifestKey,
        Long expiresAt,
        String error,
        long createdAt,
        long updatedAt) {

    static HandoffView of(Handoff h) {
        return new HandoffView(
                h.id().toString(),
                h.executionId(),
                h.location(),
                h.targetCluster(),
                h.epoch(),
                h.state(),
                h.finalCheckpointId(),
                h.exportJobId() == null ? null : h.exportJobId().toString(),
                h.manifestKey(),
                h.expiresAt(),
                h.error(),
                h.createdAt(),
                h.updatedAt());
    }
}
