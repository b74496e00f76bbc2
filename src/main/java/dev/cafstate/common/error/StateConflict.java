package dev.cafstate.common.error;

import java.util.List;

/** 409: Conflict with the current state. */
public class StateConflict extends ApiException {

    public StateConflict(String detail) {
        super(409, "conflict", "Conflict with the current state", detail, List.of());
    }
}
