package dev.cafstate.common.error;

import java.util.List;

/**
 * Base of every error a client can cause or a dependency can raise; the mapper turns it into a problem document.
 * Subclasses carry the meaning; the status, type and title follow from the subclass.
 */
public abstract class ApiException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final List<Problem.FieldError> errors;

    protected ApiException(int status, String slug, String title, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    /** The problem {@code type} URI. */
    public String type() {
        return "urn:caf-state:problem:" + slug;
    }

    public String title() {
        return title;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    /** Seconds after which a retry may succeed, or 0 when a retry will not help. */
    public int retryAfterSeconds() {
        return 0;
    }

    public Problem toProblem() {
        return new Problem(type(), title, status, getMessage(), errors.isEmpty() ? null : errors);
    }
}
