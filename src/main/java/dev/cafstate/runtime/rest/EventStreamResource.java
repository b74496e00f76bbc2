package dev.cafstate.runtime.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.error.ProblemMappers;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.events.ExecutionEventFeed;
import dev.cafstate.events.StoredEvent;
import dev.cafstate.runtime.service.ExecutionService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Server-Sent Events of one execution, served by any replica, resumable with {@code Last-Event-ID}. */
@Path("/api/v1/executions/{id}/events")
@Tag(name = "Events")
@SecurityRequirement(name = "bearer")
public class EventStreamResource {

    private final ExecutionService executions;
    private final ExecutionEventFeed feed;
    private final TenantContext tenant;

    public EventStreamResource(ExecutionService executions, ExecutionEventFeed feed, TenantContext tenant) {
        this.executions = executions;
        this.feed = feed;
        this.tenant = tenant;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Stream this execution's events (CloudEvents JSON in data, SSE id = its sequence)")
    @APIResponse(
            responseCode = "200",
            description = "text/event-stream; every retained event after Last-Event-ID, then live ones")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    public Multi<OutboundSseEvent> stream(
            @PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) {
        Tenant tenantId = tenant.tenant();
        String executionId = Ids.path("id", id);
        long after = lastEventId(lastEventId);
        // an id of 19 digits is an event's sequence; a shorter one was given before events were numbered per
        // execution (the outbox-wide number), by a replica of an earlier release
        Multi<StoredEvent> events = lastEventId == null || lastEventId.trim().length() == 19 || after == 0
                ? feed.follow(tenantId, executionId, after)
                : feed.followAfterOutboxId(tenantId, executionId, after);
        // the feed's keepalive becomes a comment, which keeps a quiet stream from being closed as idle
        // (quarkus.http.idle-timeout); the stream ends when the feed ends (this replica shutting down)
        return events.map(event -> event == ExecutionEventFeed.KEEPALIVE
                ? sse.newEventBuilder().comment("keepalive").build()
                : sse.newEventBuilder()
                        .id(event.sequenceText())
                        .name(event.type())
                        .mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(event.json())
                        .build());
    }

    /**
     * Checks that the execution exists before the stream starts: once the 200 and the stream's headers are out, a
     * 404 could no longer be sent.
     */
    @ServerRequestFilter(priority = 200)
    public Uni<Response> requireExecution(ContainerRequestContext request, SimpleResourceInfo resource) {
        if (resource.getResourceClass() != EventStreamResource.class) {
            return Uni.createFrom().nullItem();
        }
        String id = Ids.path("id", request.getUriInfo().getPathParameters().getFirst("id"));
        return executions
                .get(tenant.tenant(), id)
                .replaceWith((Response) null)
                .onFailure(ApiException.class)
                .recoverWithItem(e ->
                        ProblemMappers.build(((ApiException) e).toProblem(), 0).toResponse());
    }

    private static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw BadRequest.field("Last-Event-ID", "must be an event id received from this stream");
        }
    }
}
