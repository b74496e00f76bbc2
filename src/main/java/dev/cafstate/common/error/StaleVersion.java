package dev.cafstate.common.error;

import java.util.List;

/** 412: The resource changed since the given ETag. */
public class StaleVersion extends ApiException {

    public StaleVersion(String detail) {
        super(412, "stale-version", "The resource changed since the given ETag", detail, List.of());
    }
}
