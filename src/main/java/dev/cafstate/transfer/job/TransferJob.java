package dev.cafstate.transfer.job;

import java.util.UUID;

import dev.cafstate.common.security.Tenant;

/**
 * A transfer job's row.
 *
 * @param request the request as JSON text ({@link ExportSpec} or {@link ImportSpec})
 * @param result what the job found beyond its items, as JSON text ({@link ImportOutcome}), or null
 */
public record TransferJob(
        UUID id,
        Tenant tenant,
        String kind,
        String location,
        String source,
        String status,
        String request,
        boolean dryRun,
        boolean resume,
        UUID handoffId,
        String listingToken,
        boolean listingDone,
        String result,
        String error,
        long createdAt,
        long updatedAt,
        Long finishedAt) {

    public static final String EXPORT = "export";
    public static final String IMPORT = "import";

    /** What made a job: a call of the API, a handoff, an automatic export, a location's sync, a notification. */
    public static final String SOURCE_API = "api";

    public static final String SOURCE_HANDOFF = "handoff";
    public static final String SOURCE_AUTO = "auto";
    public static final String SOURCE_SYNC = "sync";
    public static final String SOURCE_NOTIFICATION = "notification";

    public boolean finished() {
        return status.equals("succeeded") || status.equals("failed");
    }
}
