package dev.cafstate.common.error;

import java.util.List;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;

import io.quarkus.logging.Log;

/** The one place where exceptions become {@code application/problem+json} responses. No class names, no traces. */
public class ProblemMappers {

    @ServerExceptionMapper
    public RestResponse<Problem> api(ApiException e) {
        return respond(e);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> json(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping
                && !(e instanceof JsonEOFException)
                && !mapping.getPath().isEmpty()) {
            return respond(InvalidInput.field(JsonErrors.path(mapping), JsonErrors.message(mapping)));
        }
        return respond(new BadRequest("the body is not well-formed JSON: " + cleanMessage(e.getOriginalMessage())));
    }

    @ServerExceptionMapper
    public RestResponse<Problem> validation(ConstraintViolationException e) {
        List<Problem.FieldError> errors = ValidationPaths.errors(e.getConstraintViolations(), "");
        boolean body = e.getConstraintViolations().stream().anyMatch(v -> ValidationPaths.isBody(v.getPropertyPath()));
        String detail = ValidationPaths.detail(errors);
        return respond(body ? new InvalidInput(detail, errors) : new BadRequest(detail, errors));
    }

    @ServerExceptionMapper
    public RestResponse<Problem> web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        int status = e.getResponse().getStatus();
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase()
                : "HTTP " + status;
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "cannot produce the requested media type";
            case 415 -> "unsupported media type; send application/json";
            case 413 -> "request body too large";
            default -> title;
        };
        return build(new Problem("urn:caf-state:problem:http-" + status, title, status, detail, null), 0);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> other(Throwable e) {
        ApiException dependency = DependencyFailures.classify(e);
        if (dependency != null) {
            Log.warnf("dependency failure: %s", e.toString());
            return respond(dependency);
        }
        Log.error("unexpected failure", e);
        return build(
                new Problem(
                        "urn:caf-state:problem:internal",
                        "Internal error",
                        500,
                        "an unexpected error occurred; it was logged",
                        null),
                0);
    }

    static RestResponse<Problem> respond(ApiException e) {
        return build(e.toProblem(), e.retryAfterSeconds());
    }

    /** The problem response, with {@code Retry-After} when a retry may help. */
    public static RestResponse<Problem> build(Problem problem, int retryAfterSeconds) {
        RestResponse.ResponseBuilder<Problem> builder = RestResponse.ResponseBuilder.<Problem>create(problem.status())
                .entity(problem)
                .type(Problem.MEDIA_TYPE);
        if (retryAfterSeconds > 0) {
            builder.header("Retry-After", String.valueOf(retryAfterSeconds));
        }
        return builder.build();
    }

    /** Jackson messages name Java types; keep the first sentence and drop anything that looks like a class. */
    private static String cleanMessage(String message) {
        if (message == null) {
            return "invalid value";
        }
        String m = message.replaceAll("`[\\w.$]+`", "type").replaceAll("\\([^)]*\\)", "");
        int cut = m.indexOf('\n');
        m = cut > 0 ? m.substring(0, cut) : m;
        return m.replaceAll("(type|class|enum) [a-z][\\w.]*\\.[A-Z][\\w$]*", "value")
                .trim();
    }
}
