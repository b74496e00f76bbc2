package dev.cafstate.common.error;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem document, the body of every error response ({@code application/problem+json}); {@code handoff}
 * (an extension member) names where an execution went when a handoff fences it.
 */
@Schema(name = "Problem", description = "RFC 9457 problem details")
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        List<FieldError> errors,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> handoff) {

    public Problem(String type, String title, int status, String detail, List<FieldError> errors) {
        this(type, title, status, detail, errors, null);
    }

    /** Media type of every error body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid field: a JSON path into the request (or the parameter name) and what is wrong with it. */
    public record FieldError(String field, String message) {}
}
