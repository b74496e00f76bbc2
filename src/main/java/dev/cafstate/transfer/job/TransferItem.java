package dev.cafstate.transfer.job;

/** One object of a job: its key, what is known of it ahead (id, checksum, size, manifest data), and its outcome. */
public record TransferItem(
        long seq,
        String key,
        String checkpointId,
        String sha256,
        Long sizeBytes,
        String status,
        String reason,
        String meta) {

    /** An item to add, not yet stored. */
    public static TransferItem of(
            String key, String checkpointId, String sha256, Long size, String status, String meta) {
        return new TransferItem(0, key, checkpointId, sha256, size, status, null, meta);
    }
}
