package dev.cafstate.checkpoint.rest;

import java.time.Duration;
import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.cafstate.checkpoint.service.CheckpointMaintenance;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.security.TenantContext;
import io.smallrye.mutiny.Uni;

/** On-demand runs of the scheduled checkpoint maintenance, for the caller's tenant. */
@Path("/api/v1/maintenance")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Maintenance")
@SecurityRequirement(name = "bearer")
public class MaintenanceResource {

    private final CheckpointMaintenance maintenance;
    private final TenantContext tenant;

    public MaintenanceResource(CheckpointMaintenance maintenance, TenantContext tenant) {
        this.maintenance = maintenance;
        this.tenant = tenant;
    }

    @POST
    @Path("retention")
    @Operation(summary = "Apply checkpoint retention (keep-last / max-age) now")
    @APIResponse(responseCode = "200", description = "{deleted}")
    public Uni<Map<String, Integer>> retention() {
        return maintenance.applyRetention(tenant.id()).map(n -> Map.of("deleted", n));
    }

    @POST
    @Path("reconcile")
    @Operation(summary = "Remove orphan checkpoint objects (no row, no write in flight, older than the grace period) now")
    @APIResponse(responseCode = "200", description = "{scanned, orphans_removed, in_flight}")
    @APIResponse(responseCode = "400", description = "grace_seconds is not a whole number >= 0")
    public Uni<CheckpointMaintenance.Reconciled> reconcile(@QueryParam("grace_seconds") Long graceSeconds) {
        if (graceSeconds != null && graceSeconds < 0) {
            throw BadRequest.field("grace_seconds", "must be >= 0");
        }
        return graceSeconds == null ? maintenance.reconcile(tenant.id())
                : maintenance.reconcile(tenant.id(), Duration.ofSeconds(graceSeconds));
    }
}
