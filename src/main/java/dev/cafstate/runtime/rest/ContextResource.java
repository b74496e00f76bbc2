package dev.cafstate.runtime.rest;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.caf.Context;
import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.Message;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.runtime.service.ContextService;
import io.smallrye.mutiny.Uni;

/** The context of an execution: messages, variables, memory. */
@Path("/api/v1/executions/{id}/context")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Context")
@SecurityRequirement(name = "bearer")
public class ContextResource {

    private final ContextService service;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public ContextResource(ContextService service, TenantContext tenant, JsonBodies bodies) {
        this.service = service;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @GET
    @Operation(summary = "The Context in its CAF shape")
    @APIResponse(responseCode = "200", description = "{messages, variables, memory?}")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    public Uni<RestResponse<Context>> get(@PathParam("id") String id) {
        return service.get(tenant.tenant(), Ids.path("id", id)).map(r -> Responses.ok(r.value(), r.version()));
    }

    @POST
    @Path("messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Append one Message or {messages: [...]}; emits one context.updated")
    @APIResponse(responseCode = "201", description = "{messages: [...]} as stored")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "409", description = ApiDoc.FINISHED)
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "413", description = "Body or batch over the configured limit")
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<Map<String, List<Message>>>> appendMessages(
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
        return service.appendMessages(tenant.tenant(), Ids.path("id", id), IfMatch.parse(ifMatch), bodies.runtime(body))
                .map(r -> Responses.created(Map.of("messages", r.value()), r.version(), null));
    }

    @PATCH
    @Path("variables")
    @Consumes({Responses.MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(summary = "RFC 7396 merge patch of the variables (null removes a key); emits context.updated")
    @APIResponse(responseCode = "204", description = "Applied; ETag is the new version")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "409", description = ApiDoc.FINISHED)
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<Void>> patchVariables(
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] patch) {
        return service.patchVariables(
                        tenant.tenant(), Ids.path("id", id), IfMatch.parse(ifMatch), bodies.runtime(patch))
                .map(Responses::noContent);
    }

    @PUT
    @Path("memory/{key}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Insert or replace one MemoryEntry {value, importance, timestamp?}; emits context.updated")
    @APIResponse(responseCode = "200", description = "The entry as stored")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "409", description = ApiDoc.FINISHED)
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<MemoryEntry>> putMemory(
            @PathParam("id") String id,
            @PathParam("key") String key,
            @HeaderParam("If-Match") String ifMatch,
            byte[] body) {
        return service.putMemory(tenant.tenant(), Ids.path("id", id), key, IfMatch.parse(ifMatch), bodies.runtime(body))
                .map(r -> Responses.ok(r.value(), r.version()));
    }

    @DELETE
    @Path("memory/{key}")
    @Operation(summary = "Remove one MemoryEntry; emits context.updated")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "No such execution or key")
    @APIResponse(responseCode = "409", description = ApiDoc.FINISHED)
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    public Uni<RestResponse<Void>> deleteMemory(
            @PathParam("id") String id, @PathParam("key") String key, @HeaderParam("If-Match") String ifMatch) {
        return service.deleteMemory(tenant.tenant(), Ids.path("id", id), key, IfMatch.parse(ifMatch))
                .map(Responses::noContent);
    }
}
