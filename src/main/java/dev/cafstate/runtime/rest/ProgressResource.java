package dev.cafstate.runtime.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.runtime.api.ProgressPatch;
import dev.cafstate.runtime.service.ProgressService;
import io.smallrye.mutiny.Uni;

/** The progress counters of an execution. */
@Path("/api/v1/executions/{id}/progress")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Progress")
@SecurityRequirement(name = "bearer")
public class ProgressResource {

    private final ProgressService service;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public ProgressResource(ProgressService service, TenantContext tenant, JsonBodies bodies) {
        this.service = service;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @PATCH
    @Consumes({Responses.MERGE_PATCH, MediaType.APPLICATION_JSON})
    @Operation(summary = "Merge-patch ExecutionProgress; counters never go backwards; emits progress.updated")
    @APIResponse(responseCode = "200", description = "The progress as it now is")
    @APIResponse(responseCode = "404", description = ApiDoc.NOT_FOUND)
    @APIResponse(responseCode = "409", description = "A counter would go backwards, or the execution is finished")
    @APIResponse(responseCode = "412", description = ApiDoc.STALE)
    @APIResponse(responseCode = "422", description = ApiDoc.INVALID)
    public Uni<RestResponse<ExecutionProgress>> patch(
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, byte[] body) {
        String executionId = Ids.path("id", id);
        return service.patch(
                        tenant.tenant(),
                        executionId,
                        IfMatch.parse(ifMatch),
                        ProgressPatch.from(bodies.runtime(body), bodies))
                .map(r -> Responses.ok(r.value(), r.version()));
    }
}
