package dev.cafstate.checkpoint.rest;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.checkpoint.repository.ScrubRepository;
import dev.cafstate.checkpoint.service.CheckpointMaintenance;
import dev.cafstate.checkpoint.service.Scrubber;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.paging.Cursors;
import dev.cafstate.common.security.TenantContext;
import io.smallrye.mutiny.Uni;

/** On-demand runs of the scheduled checkpoint maintenance, for the caller's tenant. */
@Path("/api/v1/maintenance")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Maintenance")
@SecurityRequirement(name = "bearer")
public class MaintenanceResource {

    private final CheckpointMaintenance maintenance;
    private final Scrubber scrubber;
    private final TenantContext tenant;

    public MaintenanceResource(CheckpointMaintenance maintenance, Scrubber scrubber, TenantContext tenant) {
        this.maintenance = maintenance;
        this.scrubber = scrubber;
        this.tenant = tenant;
    }

    @POST
    @Path("scrub")
    @Operation(
            summary = "Start (or start over) a scrub of this tenant's checkpoints: every object read back and "
                    + "its SHA-256 checked, repaired from a verified inline copy where one is kept")
    @APIResponse(responseCode = "202", description = "The pass, started; follow it with GET")
    public Uni<RestResponse<ScrubRepository.Pass>> scrub() {
        return scrubber.startPass(tenant.tenant())
                .map(p -> RestResponse.ResponseBuilder.<ScrubRepository.Pass>create(RestResponse.Status.ACCEPTED)
                        .entity(p)
                        .location(URI.create("/api/v1/maintenance/scrub"))
                        .build());
    }

    @GET
    @Path("scrub")
    @Operation(summary = "This tenant's scrub pass: cursor, counts, and whether it finished")
    @APIResponse(
            responseCode = "200",
            description = "{scope, started_at, finished_at?, checked, corrupt, missing, repaired}")
    @APIResponse(responseCode = "404", description = "No scrub was started for this tenant")
    public Uni<ScrubRepository.Pass> scrubStatus() {
        return scrubber.pass(tenant.tenant());
    }

    @GET
    @Path("scrub/problems")
    @Operation(summary = "Checkpoints whose object or inline copy failed a scrub, newest first")
    @APIResponse(
            responseCode = "200",
            description = "{items: [{checkpoint_id, object_key, problem, detail, detected_at, repaired_at?}]}")
    public Uni<Map<String, List<ScrubRepository.Problem>>> problems(
            @QueryParam("open") Boolean open, @QueryParam("limit") Integer limit) {
        return scrubber.problems(tenant.tenant(), open == null || open, Cursors.limit(limit))
                .map(items -> Map.of("items", items));
    }

    @POST
    @Path("retention")
    @Operation(summary = "Apply checkpoint retention (keep-last / max-age) now")
    @APIResponse(responseCode = "200", description = "{deleted}")
    public Uni<Map<String, Integer>> retention() {
        return maintenance.applyRetention(tenant.tenant()).map(n -> Map.of("deleted", n));
    }

    @POST
    @Path("reconcile")
    @Operation(
            summary = "Remove orphan checkpoint objects (no row, no write in flight, older than the grace period) now")
    @APIResponse(responseCode = "200", description = "{scanned, orphans_removed, in_flight}")
    @APIResponse(responseCode = "400", description = "grace_seconds is not a whole number >= 0")
    public Uni<CheckpointMaintenance.Reconciled> reconcile(@QueryParam("grace_seconds") Long graceSeconds) {
        if (graceSeconds != null && graceSeconds < 0) {
            throw BadRequest.field("grace_seconds", "must be >= 0");
        }
        return graceSeconds == null
                ? maintenance.reconcile(tenant.tenant())
                : maintenance.reconcile(tenant.tenant(), Duration.ofSeconds(graceSeconds));
    }
}
