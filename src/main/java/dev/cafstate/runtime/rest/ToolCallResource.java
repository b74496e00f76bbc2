package dev.cafstate.runtime.rest;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolState;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.http.QueryParams;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.runtime.api.ToolCallCreate;
import dev.cafstate.runtime.api.ToolCallUpdate;
import dev.cafstate.runtime.service.ToolCallService;
import io.smallrye.mutiny.Uni;

/** The tool state of an execution and its tool calls. */
@Path("/api/v1/executions/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tool state")
@SecurityRequirement(name = "bearer")
public class ToolCallResource {

    private final ToolCallService service;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public ToolCallResource(ToolCallService service, TenantContext tenant, JsonBodies bodies) {
        this.service = service;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @GET
    @Path("tool-state")
    @Operation(summary = "The ToolState in its CAF shape")
    @APIResponse(responseCode = "200", description = "{last_tool_call_id?, pending, running, completed, failed}")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    public Uni<RestResponse<ToolState>> state(@PathParam("id") String id) {
        return service.state(tenant.tenant(), Ids.path("id", id)).map(r -> Responses.ok(r.value(), r.version()));
    }

    @POST
    @Path("tool-calls")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record a tool call {id?, tool_id, arguments, status?: pending|running}; emits tool.called")
    @APIResponse(responseCode = "201", description = "The call as stored")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "409", description = ApiDoc.FINISHED + "; or the call id exists")
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<ToolCall>> create(
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
        String executionId = Ids.path("id", id);
        return service.create(
                        tenant.tenant(),
                        executionId,
                        IfMatch.parse(ifMatch),
                        ToolCallCreate.from(bodies.runtime(body), bodies))
                .map(r -> Responses.created(
                        r.value(),
                        r.version(),
                        URI.create("/api/v1/executions/" + QueryParams.encode(executionId) + "/tool-calls/"
                                + QueryParams.encode(r.value().id()))));
    }

    @PATCH
    @Path("tool-calls/{callId}")
    @Consumes({Responses.MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(summary = "Move a call to {status, result?, error?, duration_ms?}; emits tool.completed or tool.failed")
    @APIResponse(responseCode = "200", description = "The call as it now is")
    @APIResponse(responseCode = "404", description = "No such execution or call")
    @APIResponse(responseCode = "409", description = "Illegal transition, or the execution is finished")
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<ToolCall>> update(
            @PathParam("id") String id,
            @PathParam("callId") String callId,
            @HeaderParam("If-Match") String ifMatch,
            byte[] body) {
        String executionId = Ids.path("id", id);
        String call = Ids.path("call_id", callId);
        return service.update(
                        tenant.tenant(),
                        executionId,
                        call,
                        IfMatch.parse(ifMatch),
                        ToolCallUpdate.from(bodies.runtime(body), bodies))
                .map(r -> Responses.ok(r.value(), r.version()));
    }
}
