package dev.cafstate.common.error;

import java.util.List;

/** 502: a stored document failed its checksum (tampered or truncated); nothing was changed. */
public class IntegrityFailure extends ApiException {

    public IntegrityFailure(String detail) {
        super(502, "integrity-failure", "Stored data failed its integrity check", detail, List.of());
    }
}
