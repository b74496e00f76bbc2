package dev.cafstate.common.error;

import java.util.List;

/** 422 The request breaks the CAF schema or a rule of this API. */
public class InvalidInput extends ApiException {

    public InvalidInput(String detail) {
        this(detail, List.of());
    }

    public InvalidInput(String detail, List<Problem.FieldError> errors) {
        super(422, "invalid-input", "The request breaks the CAF schema or a rule of this API", detail, errors);
    }

    /** A single-field error. */
    public static InvalidInput field(String field, String message) {
        return new InvalidInput(field + ": " + message, List.of(new Problem.FieldError(field, message)));
    }
}
