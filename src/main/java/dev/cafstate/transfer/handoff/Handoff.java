package dev.cafstate.transfer.handoff;

import java.util.UUID;

import dev.cafstate.common.security.Tenant;

/**
 * A handoff of an execution from this cluster to another: a persisted state machine, advanced by the transfer worker
 * and surviving restarts. {@code requested} (fenced and paused) -> {@code exporting} (final checkpoint taken, export
 * job running) -> {@code awaiting_ack} (manifest written) -> {@code completed} (the target acknowledged); or
 * {@code aborted} by an operator (the execution is written here again), or {@code failed} (the export failed; abort
 * to resume here). {@code expiresAt} is set before the manifest is written: a handoff that has it may be in the
 * target's hands, and is only ever aborted the guarded way (after expiry, abort marker, published outcome).
 */
public record Handoff(
        UUID id,
        Tenant tenant,
        String executionId,
        String location,
        String targetCluster,
        long epoch,
        String state,
        String previousStatus,
        String finalCheckpointId,
        UUID exportJobId,
        String manifestKey,
        Long expiresAt,
        String error,
        long createdAt,
        long updatedAt,
        boolean outcomePublished) {

    public static final String REQUESTED = "requested";
    public static final String EXPORTING = "exporting";
    public static final String AWAITING_ACK = "awaiting_ack";
    public static final String COMPLETED = "completed";
    public static final String ABORTED = "aborted";
    public static final String FAILED = "failed";

    /** A manifest of this handoff may exist: the target may take the execution over until it expired. */
    public boolean manifestMayExist() {
        return expiresAt != null;
    }
}
