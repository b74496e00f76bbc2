package dev.cafstate.common.error;

import java.util.List;

/** 503: PostgreSQL, S3 or the broker cannot serve the request now; nothing was changed, retry later. */
public class DependencyUnavailable extends ApiException {

    private final int retryAfter;

    public DependencyUnavailable(String dependency, int retryAfterSeconds) {
        super(
                503,
                "dependency-unavailable",
                "A dependency is unavailable",
                dependency + " is unavailable; nothing was changed, retry later",
                List.of());
        this.retryAfter = retryAfterSeconds;
    }

    @Override
    public int retryAfterSeconds() {
        return retryAfter;
    }
}
