package dev.cafstate.common.error;

import java.util.List;

/** 413: Request too large. */
public class PayloadTooLarge extends ApiException {

    public PayloadTooLarge(String detail) {
        super(413, "payload-too-large", "Request too large", detail, List.of());
    }
}
