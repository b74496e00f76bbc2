package dev.cafstate.runtime.rest;

import java.net.URI;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
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

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.http.QueryParams;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.paging.Cursors;
import dev.cafstate.common.paging.Page;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.runtime.service.ThoughtService;
import io.smallrye.mutiny.Uni;

/** The thought chain of an execution. */
@Path("/api/v1/executions/{id}/thoughts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Thought chain")
@SecurityRequirement(name = "bearer")
public class ThoughtResource {

    private final ThoughtService service;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public ThoughtResource(ThoughtService service, TenantContext tenant, JsonBodies bodies) {
        this.service = service;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Append one ThoughtStep, or {steps: [...]}; emits thought.created for each step")
    @APIResponse(responseCode = "201", description = "The step (or {steps}) as stored, with server defaults")
    @APIResponse(responseCode = "400", description = ApiDoc.MALFORMED)
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "409", description = ApiDoc.FINISHED)
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "413", description = "Body or batch over the configured limit")
    @APIResponse(responseCode = "415", description = "Not application/json")
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID + "; also an unknown parent_id")
    @APIResponse(responseCode = "503", description = ApiDoc.UNAVAILABLE)
    public Uni<RestResponse<Object>> append(
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] bytes) {
        String executionId = Ids.path("id", id);
        JsonNode body = bodies.runtime(bytes);
        return service.append(tenant.tenant(), executionId, IfMatch.parse(ifMatch), body)
                .map(result -> {
                    List<ThoughtStep> steps = result.value();
                    if (body.has("steps")) {
                        return Responses.created((Object) Map.of("steps", steps), result.version(), null);
                    }
                    URI location = URI.create("/api/v1/executions/" + QueryParams.encode(executionId) + "/thoughts/"
                            + QueryParams.encode(steps.get(0).id()));
                    return Responses.created((Object) steps.get(0), result.version(), location);
                });
    }

    @GET
    @Operation(summary = "Steps in chain order, filtered by type and confidence range, paged")
    @APIResponse(responseCode = "200", description = "A page of steps")
    @APIResponse(responseCode = "400", description = ApiDoc.MALFORMED)
    public Uni<Page<ThoughtStep>> list(
            @PathParam("id") String id,
            @QueryParam("type") String type,
            @QueryParam("min_confidence") Double min,
            @QueryParam("max_confidence") Double max,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit) {
        return service.list(
                tenant.tenant(),
                Ids.path("id", id),
                QueryParams.wire("type", type, ThoughtType::of),
                QueryParams.confidence("min_confidence", min),
                QueryParams.confidence("max_confidence", max),
                cursor,
                Cursors.limit(limit));
    }

    @PATCH
    @Path("{stepId}")
    @Consumes({Responses.MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(summary = "Merge-patch content, reasoning, confidence, alternatives, metadata; emits thought.updated")
    @APIResponse(responseCode = "200", description = "The step as it now is")
    @APIResponse(responseCode = "404", description = "No such execution or step")
    @APIResponse(responseCode = "409", description = ApiDoc.FINISHED)
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<ThoughtStep>> patch(
            @PathParam("id") String id,
            @PathParam("stepId") String stepId,
            @HeaderParam("If-Match") String ifMatch,
            byte[] body) {
        return service.patch(
                        tenant.tenant(),
                        Ids.path("id", id),
                        Ids.path("step_id", stepId),
                        IfMatch.parse(ifMatch),
                        bodies.runtime(body))
                .map(r -> Responses.ok(r.value(), r.version()));
    }
}
