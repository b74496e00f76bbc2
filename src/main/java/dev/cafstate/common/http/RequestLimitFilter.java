package dev.cafstate.common.http;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.PayloadTooLarge;

/** Refuses runtime request bodies over {@code caf.limits.max-request-bytes} with a 413 problem before reading them. */
public class RequestLimitFilter {

    private final CafConfig config;

    public RequestLimitFilter(CafConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(priority = 50)
    public void limitBody(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/v1/executions")) {
            return;
        }
        long max = config.limits().maxRequestBytes();
        if (request.getLength() > max) {
            throw new PayloadTooLarge("the request body has " + request.getLength() + " bytes; the limit is " + max);
        }
    }
}
