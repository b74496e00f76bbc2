package dev.cafstate.common.error;

import java.util.List;

/** 503: this replica is shutting down and takes no new request; nothing was changed, send it to another. */
public class ShuttingDown extends ApiException {

    public ShuttingDown() {
        super(
                503,
                "shutting-down",
                "This replica is shutting down",
                "this replica is shutting down and took no action; nothing was changed, send the request again (it"
                        + " goes to another replica)",
                List.of());
    }

    @Override
    public int retryAfterSeconds() {
        return 1;
    }
}
