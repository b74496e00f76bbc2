package dev.cafstate.transfer.rest;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.error.ProblemMappers;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.transfer.api.ExportRequest;
import dev.cafstate.transfer.api.ImportRequest;
import dev.cafstate.transfer.job.JobView;
import dev.cafstate.transfer.job.TransferJob;
import dev.cafstate.transfer.job.TransferService;
import dev.cafstate.transfer.location.LocationStatusEntities;
import dev.cafstate.transfer.location.LocationStore;
import dev.cafstate.transfer.location.Locations;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Transfers between clusters: locations, export jobs and import jobs (operator calls). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Transfer")
@SecurityRequirement(name = "bearer")
public class TransferResource {

    private final TransferService transfers;
    private final Locations locations;
    private final LocationStore store;
    private final LocationStatusEntities status;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public TransferResource(
            TransferService transfers,
            Locations locations,
            LocationStore store,
            LocationStatusEntities status,
            TenantContext tenant,
            JsonBodies bodies) {
        this.transfers = transfers;
        this.locations = locations;
        this.store = store;
        this.status = status;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @GET
    @Path("locations")
    @Operation(summary = "The configured locations with their status (never their credentials)")
    public Uni<Map<String, Object>> locations() {
        return status.byLocation()
                .flatMap(last -> Multi.createFrom()
                        .iterable(locations.all())
                        .onItem()
                        .transformToUniAndConcatenate(l -> store.reachable(l)
                                .ifNoItem()
                                .after(Duration.ofMillis(1500))
                                .recoverWithItem(false)
                                .map(reachable -> {
                                    Map<String, Object> m = new LinkedHashMap<>(l.describe());
                                    m.put("reachable", reachable);
                                    var s = last.get(l.name());
                                    m.put("last_sync_at", s == null ? null : s.lastSyncAt());
                                    m.put("last_sync_error", s == null ? null : s.lastSyncError());
                                    m.put("manifests_seen", s == null ? 0 : s.manifestsSeen());
                                    m.put("sync_jobs_created", s == null ? 0 : s.jobsCreated());
                                    return m;
                                }))
                        .collect()
                        .asList()
                        .map(items -> Map.<String, Object>of("items", items)));
    }

    @POST
    @Path("exports")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Export checkpoints to a location (a job; the manifest is written last)")
    public Uni<RestResponse<JobView>> export(byte[] body) {
        return transfers
                .export(tenant.tenant(), ExportRequest.from(bodies.runtime(body), bodies))
                .map(v -> accepted("/api/v1/exports/" + v.id(), v));
    }

    @GET
    @Path("exports/{job}")
    @Operation(summary = "An export job")
    public Uni<JobView> exportJob(@PathParam("job") String job) {
        return transfers.view(tenant.tenant(), TransferJob.EXPORT, id(job));
    }

    @POST
    @Path("imports")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import checkpoints from a location (a resumable, idempotent job)")
    public Uni<RestResponse<JobView>> importJob(byte[] body) {
        return transfers
                .importJob(tenant.tenant(), ImportRequest.from(bodies.runtime(body), bodies))
                .map(v -> accepted("/api/v1/imports/" + v.id(), v));
    }

    @GET
    @Path("imports/{job}")
    @Operation(summary = "An import job")
    public Uni<JobView> importView(@PathParam("job") String job) {
        return transfers.view(tenant.tenant(), TransferJob.IMPORT, id(job));
    }

    @GET
    @Path("imports/{job}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "An import job's progress as Server-Sent Events, until it finished")
    public Multi<JobView> importProgress(@PathParam("job") String job) {
        return transfers.progress(tenant.tenant(), TransferJob.IMPORT, id(job), Duration.ofMillis(500));
    }

    @GET
    @Path("exports/{job}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "An export job's progress as Server-Sent Events, until it finished")
    public Multi<JobView> exportProgress(@PathParam("job") String job) {
        return transfers.progress(tenant.tenant(), TransferJob.EXPORT, id(job), Duration.ofMillis(500));
    }

    /**
     * Checks that the job exists (for this tenant) before its progress stream starts: once the 200 and the stream's
     * headers are out, a 404 could no longer be sent.
     */
    @ServerRequestFilter(priority = 200)
    public Uni<Response> requireJob(ContainerRequestContext request, SimpleResourceInfo resource) {
        String kind = resource.getResourceClass() != TransferResource.class
                ? null
                : switch (resource.getMethodName()) {
                    case "importProgress" -> TransferJob.IMPORT;
                    case "exportProgress" -> TransferJob.EXPORT;
                    default -> null;
                };
        if (kind == null) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom()
                .item(() -> id(request.getUriInfo().getPathParameters().getFirst("job")))
                .flatMap(job -> transfers.view(tenant.tenant(), kind, job))
                .replaceWith((Response) null)
                .onFailure(ApiException.class)
                .recoverWithItem(e ->
                        ProblemMappers.build(((ApiException) e).toProblem(), 0).toResponse());
    }

    static UUID id(String job) {
        try {
            return UUID.fromString(job);
        } catch (IllegalArgumentException e) {
            throw BadRequest.field("job", "is not a job id");
        }
    }

    static <T> RestResponse<T> accepted(String location, T body) {
        return RestResponse.ResponseBuilder.<T>create(RestResponse.Status.ACCEPTED, body)
                .location(URI.create(location))
                .build();
    }

    static List<String> none() {
        return List.of();
    }
}
