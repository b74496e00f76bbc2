package dev.cafstate.common.http;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.error.PayloadTooLarge;
import dev.cafstate.common.json.JsonChecks;

/**
 * Checks of a request before its resource method runs: bodies over the configured limit are refused with a 413
 * problem before they are read (runtime calls by {@code caf.limits.max-request-bytes}, pushed checkpoints by
 * {@code caf.checkpoints.max-document-bytes}), and query parameters that no column can hold (U+0000, half a surrogate
 * pair) with a 400 naming the parameter, on every endpoint, before they reach a query.
 */
public class RequestLimitFilter {

    private final CafConfig config;

    public RequestLimitFilter(CafConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(priority = 50)
    public void storableQuery(ContainerRequestContext request) {
        for (Map.Entry<String, List<String>> p :
                request.getUriInfo().getQueryParameters().entrySet()) {
            for (String value : p.getValue()) {
                String problem = JsonChecks.textProblem(value);
                if (problem != null) {
                    throw BadRequest.field(p.getKey(), problem);
                }
            }
        }
    }

    @ServerRequestFilter(priority = 50)
    public void limitBody(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        long max;
        if (path.startsWith("/api/v1/executions")) {
            max = config.limits().maxRequestBytes();
        } else if (path.startsWith("/api/v1/checkpoints")) {
            max = config.checkpoints().maxDocumentBytes();
        } else {
            return;
        }
        if (request.getLength() > max) {
            throw new PayloadTooLarge("the request body has " + request.getLength() + " bytes; the limit is " + max);
        }
    }
}
