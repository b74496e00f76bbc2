package dev.cafstate.transfer.job;

import java.util.List;

/**
 * An export's manifest, written last: who exported what, every object's key with its SHA-256 and size, and the
 * parent links; a handoff's manifest also says who takes the execution over, at which epoch, until when, and which
 * tool calls were still pending or running. Its own SHA-256 is in its object's metadata.
 */
public record Manifest(
        String format,
        String exportId,
        String sourceCluster,
        String tenant,
        long createdAt,
        List<Entry> checkpoints,
        Handoff handoff) {

    public static final String FORMAT = "caf-state-export/1";

    /** One exported checkpoint. */
    public record Entry(
            String id,
            String executionId,
            String key,
            String sha256,
            long size,
            String parentCheckpointId,
            boolean isBranch) {}

    /** What a handoff's manifest adds. */
    public record Handoff(
            String handoffId,
            String executionId,
            long epoch,
            String targetCluster,
            String finalCheckpointId,
            long expiresAt,
            List<String> inDoubtToolCalls) {}

    /** The target's acknowledgement: it has taken the execution over at this epoch. */
    public record Ack(
            String format,
            String handoffId,
            String executionId,
            long epoch,
            String cluster,
            String sourceCluster,
            String manifestKey,
            long acknowledgedAt) {
        public static final String FORMAT = "caf-state-handoff-ack/1";
    }

    /** The source's abort marker: it took the execution back at this epoch. */
    public record Abort(String format, String handoffId, String executionId, long epoch, long abortedAt) {
        public static final String FORMAT = "caf-state-handoff-abort/1";
    }

    /**
     * The source's decision on a handoff whose manifest may have been in the target's hands: {@code completed} (it
     * saw the acknowledgement; the target writes the execution) or {@code aborted} (it did not; the source does).
     */
    public record Outcome(
            String format, String handoffId, String executionId, long epoch, String outcome, long decidedAt) {
        public static final String FORMAT = "caf-state-handoff-outcome/1";
        public static final String COMPLETED = "completed";
        public static final String ABORTED = "aborted";
    }
}
