package dev.cafstate.runtime.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.ExecutionProgress;

/**
 * An execution as the API shows it; {@code version} travels as the ETag, not in the body. {@code epoch} counts its
 * handoffs; {@code owner_cluster} names the cluster that owns an execution kept here as history, and
 * {@code handoff_id} a handoff under way (both absent for an execution this cluster writes).
 */
public record ExecutionView(
        String id,
        String agentId,
        String agentName,
        ExecutionStatus status,
        long startedAt,
        Long endedAt,
        String currentCheckpointId,
        ExecutionProgress progress,
        Counts counts,
        ObjectNode metadata,
        @JsonIgnore long version,
        long epoch,
        String ownerCluster,
        String handoffId) {

    /** Whether this cluster may write the execution: it owns it and no handoff of it is under way. */
    @JsonIgnore
    public boolean writable() {
        return ownerCluster == null && handoffId == null;
    }
}
