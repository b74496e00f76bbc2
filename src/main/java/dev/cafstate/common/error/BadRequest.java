package dev.cafstate.common.error;

import java.util.List;

/** 400 Malformed request. */
public class BadRequest extends ApiException {

    public BadRequest(String detail) {
        this(detail, List.of());
    }

    public BadRequest(String detail, List<Problem.FieldError> errors) {
        super(400, "bad-request", "Malformed request", detail, errors);
    }

    /** A single-field error. */
    public static BadRequest field(String field, String message) {
        return new BadRequest(field + ": " + message, List.of(new Problem.FieldError(field, message)));
    }
}
