package dev.cafstate.common.error;

import java.util.List;

/** 404: Not found. */
public class ResourceNotFound extends ApiException {

    public ResourceNotFound(String detail) {
        super(404, "not-found", "Not found", detail, List.of());
    }
}
