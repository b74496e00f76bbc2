package dev.cafstate.runtime.repository;

import dev.cafstate.caf.RuntimeSnapshot;

/**
 * The runtime parts of an execution read as one snapshot, with the version they were read at and the facts a
 * checkpoint of them records (agent, and the checkpoint the execution was restored or forked from, if any).
 */
public record ExecutionSnapshot(
        RuntimeSnapshot snapshot,
        long version,
        String agentId,
        String agentName,
        String parentCheckpointId,
        boolean parentIsBranch,
        String ownerCluster,
        String handoffId) {

    /** Whether this cluster may write the execution (see {@code ExecutionView#writable}). */
    public boolean writable() {
        return ownerCluster == null && handoffId == null;
    }
}
