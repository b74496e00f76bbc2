package dev.cafstate.common.error;

import java.util.List;
import java.util.Map;

/**
 * 409: the execution is being handed off to another cluster, or belongs to one: this cluster does not write it. The
 * problem's {@code handoff} member names the location, the target cluster and the checkpoint the run continues from;
 * while the handoff is under way it carries {@code Retry-After} (it may yet be aborted).
 */
public class HandedOff extends ApiException {

    private final Map<String, Object> handoff;
    private final boolean inProgress;

    public HandedOff(String detail, Map<String, Object> handoff, boolean inProgress) {
        super(409, "handed-off", "The execution is written by another cluster", detail, List.of());
        this.handoff = handoff;
        this.inProgress = inProgress;
    }

    @Override
    public int retryAfterSeconds() {
        return inProgress ? 5 : 0;
    }

    @Override
    public Problem toProblem() {
        return new Problem(type(), title(), status(), getMessage(), null, handoff);
    }
}
