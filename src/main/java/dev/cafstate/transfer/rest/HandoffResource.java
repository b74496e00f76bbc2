package dev.cafstate.transfer.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.common.http.Ids;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.transfer.api.HandoffRequest;
import dev.cafstate.transfer.handoff.HandoffService;
import dev.cafstate.transfer.handoff.HandoffView;
import dev.cafstate.transfer.job.TransferWorker;
import io.smallrye.mutiny.Uni;

/** Live handoff of an execution to another cluster (operator calls). */
@Path("/api/v1/executions/{id}/handoff")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Transfer")
@SecurityRequirement(name = "bearer")
public class HandoffResource {

    private final HandoffService handoffs;
    private final TransferWorker worker;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public HandoffResource(HandoffService handoffs, TransferWorker worker, TenantContext tenant, JsonBodies bodies) {
        this.handoffs = handoffs;
        this.worker = worker;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Hand the running execution off to another cluster: pause, final checkpoint, export")
    public Uni<RestResponse<HandoffView>> start(@PathParam("id") String id, byte[] body) {
        return handoffs.start(tenant.tenant(), Ids.path("id", id), HandoffRequest.from(bodies.runtime(body), bodies))
                .map(v -> {
                    worker.wake();
                    return TransferResource.accepted("/api/v1/executions/" + id + "/handoff", v);
                });
    }

    @GET
    @Operation(summary = "The execution's latest handoff")
    public Uni<HandoffView> view(@PathParam("id") String id) {
        return handoffs.view(tenant.tenant(), Ids.path("id", id));
    }

    @POST
    @Path("abort")
    @Operation(summary = "Abort the handoff: this cluster writes the execution again (only while that is safe)")
    public Uni<HandoffView> abort(@PathParam("id") String id) {
        return handoffs.abort(tenant.tenant(), Ids.path("id", id));
    }
}
