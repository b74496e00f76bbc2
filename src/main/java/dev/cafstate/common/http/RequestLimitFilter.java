package dev.cafstate.common.http;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.PayloadTooLarge;

/**
 * Refuses bodies over the configured limit with a 413 problem before reading them: runtime calls by
 * {@code caf.limits.max-request-bytes}, pushed checkpoints by {@code caf.checkpoints.max-document-bytes}.
 */
public class RequestLimitFilter {

    private final CafConfig config;

    public RequestLimitFilter(CafConfig config) {
        this.config = config;
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
