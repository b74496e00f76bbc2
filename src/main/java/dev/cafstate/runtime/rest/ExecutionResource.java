package dev.cafstate.runtime.rest;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.caf.RuntimeSnapshot;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.http.QueryParams;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.paging.Cursors;
import dev.cafstate.common.paging.Page;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.runtime.api.CreateExecutionRequest;
import dev.cafstate.runtime.api.ExecutionPatch;
import dev.cafstate.runtime.api.ExecutionStatus;
import dev.cafstate.runtime.api.ExecutionView;
import dev.cafstate.runtime.service.ExecutionService;
import io.smallrye.mutiny.Uni;

/** Executions: create, read, list, status and metadata changes, delete, and the whole runtime state. */
@Path("/api/v1/executions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Executions")
@SecurityRequirement(name = "bearer")
public class ExecutionResource {

    private final ExecutionService service;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public ExecutionResource(ExecutionService service, TenantContext tenant, JsonBodies bodies) {
        this.service = service;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an execution (id generated when left out); emits agent.started")
    @APIResponse(responseCode = "201", description = "Created; Location and ETag set")
    @APIResponse(responseCode = "400", description = ApiDoc.MALFORMED)
    @APIResponse(responseCode = "409", description = "The id exists")
    @APIResponse(responseCode = "413", description = "Body over caf.limits.max-request-bytes")
    @APIResponse(responseCode = "415", description = "Not application/json")
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    @APIResponse(responseCode = "503", description = ApiDoc.UNAVAILABLE)
    public Uni<RestResponse<ExecutionView>> create(byte[] body) {
        return service.create(tenant.tenant(), CreateExecutionRequest.from(bodies.runtime(body), bodies))
                .map(e -> Responses.created(
                        e, e.version(), URI.create("/api/v1/executions/" + QueryParams.encode(e.id()))));
    }

    @GET
    @Operation(summary = "List executions, newest first")
    @APIResponse(responseCode = "200", description = "A page of executions")
    @APIResponse(responseCode = "400", description = ApiDoc.MALFORMED)
    public Uni<Page<ExecutionView>> list(
            @QueryParam("agent_id") String agentId,
            @QueryParam("status") String status,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit) {
        return service.list(
                tenant.tenant(),
                agentId,
                QueryParams.wire("status", status, ExecutionStatus::of),
                cursor,
                Cursors.limit(limit));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get an execution")
    @APIResponse(responseCode = "200", description = "The execution; ETag is its state version")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    public Uni<RestResponse<ExecutionView>> get(@PathParam("id") String id) {
        return service.get(tenant.tenant(), Ids.path("id", id)).map(e -> Responses.ok(e, e.version()));
    }

    @PATCH
    @Path("{id}")
    @Consumes({Responses.MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(summary = "Merge-patch status and/or metadata; emits agent.paused/resumed/completed/failed/cancelled")
    @APIResponse(responseCode = "200", description = "The execution as it now is")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "409", description = "Illegal status transition")
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<ExecutionView>> patch(
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
        String executionId = Ids.path("id", id);
        return service.patch(
                        tenant.tenant(),
                        executionId,
                        IfMatch.parse(ifMatch),
                        ExecutionPatch.from(bodies.runtime(body), bodies))
                .map(e -> Responses.ok(e, e.version()));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete an execution and its runtime state (checkpoints are kept)")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return service.delete(tenant.tenant(), Ids.path("id", id), IfMatch.parse(ifMatch))
                .map(x -> RestResponse.noContent());
    }

    @GET
    @Path("{id}/state")
    @Operation(summary = "All four runtime parts in their CAF shapes, read as one consistent snapshot")
    @APIResponse(responseCode = "200", description = "{thought_chain, context, tool_state, progress}")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    public Uni<RestResponse<RuntimeSnapshot>> state(@PathParam("id") String id) {
        return service.state(tenant.tenant(), Ids.path("id", id)).map(s -> Responses.ok(s.value(), s.version()));
    }
}
