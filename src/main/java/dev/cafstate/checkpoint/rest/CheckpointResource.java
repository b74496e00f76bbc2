package dev.cafstate.checkpoint.rest;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.caf.CheckpointReason;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.checkpoint.api.CheckpointDiffView;
import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.api.CheckpointToolCallView;
import dev.cafstate.checkpoint.api.RestoreRequest;
import dev.cafstate.checkpoint.repository.CheckpointQuery;
import dev.cafstate.checkpoint.service.CheckpointMaintenance;
import dev.cafstate.checkpoint.service.CheckpointReader;
import dev.cafstate.checkpoint.service.CheckpointService;
import dev.cafstate.checkpoint.service.CheckpointWriter;
import dev.cafstate.checkpoint.service.RestoreService;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.QueryParams;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.paging.Cursors;
import dev.cafstate.common.paging.Page;
import dev.cafstate.common.security.TenantContext;
import dev.cafstate.runtime.api.ExecutionView;
import io.smallrye.mutiny.Uni;

/** Checkpoints: push, query, read, restore, fork, diff, delete. */
@Path("/api/v1/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Checkpoints")
@SecurityRequirement(name = "bearer")
public class CheckpointResource {

    private final CheckpointService service;
    private final CheckpointReader reader;
    private final RestoreService restore;
    private final CheckpointMaintenance maintenance;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public CheckpointResource(
            CheckpointService service,
            CheckpointReader reader,
            RestoreService restore,
            CheckpointMaintenance maintenance,
            TenantContext tenant,
            JsonBodies bodies) {
        this.bodies = bodies;
        this.service = service;
        this.reader = reader;
        this.restore = restore;
        this.maintenance = maintenance;
        this.tenant = tenant;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Push a CAF checkpoint document as the SDK produced it; creates the execution record if missing")
    @APIResponse(responseCode = "201", description = "Stored; the summary")
    @APIResponse(responseCode = "200", description = "The same id with the same content was already stored")
    @APIResponse(responseCode = "400", description = "Malformed JSON")
    @APIResponse(responseCode = "409", description = "The id holds a different document")
    @APIResponse(responseCode = "413", description = "Over caf.checkpoints.max-document-bytes")
    @APIResponse(responseCode = "422", description = "Breaks the CAF 0.0.1 schema (field errors), or wrong version")
    @APIResponse(responseCode = "503", description = "S3 or PostgreSQL unavailable; nothing stored; Retry-After")
    public Uni<RestResponse<CheckpointSummary>> push(byte[] body) {
        return service.push(tenant.tenant(), body, bodies.document(body)).map(CheckpointResource::response);
    }

    @GET
    @Operation(summary = "Query checkpoints, newest first")
    @APIResponse(responseCode = "200", description = "A page of summaries")
    @APIResponse(responseCode = "400", description = "Bad filter, cursor or limit")
    public Uni<Page<CheckpointSummary>> query(
            @QueryParam("execution_id") String executionId,
            @QueryParam("agent_id") String agentId,
            @QueryParam("reason") String reason,
            @QueryParam("tool_id") String toolId,
            @QueryParam("thought_type") String thoughtType,
            @QueryParam("min_confidence") Double min,
            @QueryParam("max_confidence") Double max,
            @QueryParam("q") String text,
            @QueryParam("from") Long from,
            @QueryParam("to") Long to,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit) {
        CheckpointReason r = QueryParams.wire("reason", reason, CheckpointReason::of);
        ThoughtType t = QueryParams.wire("thought_type", thoughtType, ThoughtType::of);
        CheckpointQuery query = new CheckpointQuery(
                executionId,
                agentId,
                r == null ? null : r.wire(),
                toolId,
                t == null ? null : t.wire(),
                QueryParams.confidence("min_confidence", min),
                QueryParams.confidence("max_confidence", max),
                text == null || text.isBlank() ? null : text,
                from,
                to);
        return reader.query(tenant.tenant(), query, cursor, Cursors.limit(limit));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A checkpoint's summary")
    @APIResponse(responseCode = "200", description = "The summary")
    @APIResponse(responseCode = "404", description = "No such checkpoint (or another tenant's)")
    public Uni<CheckpointSummary> get(@PathParam("id") String id) {
        return reader.summary(tenant.tenant(), Ids.path("id", id));
    }

    @GET
    @Path("{id}/document")
    @Operation(summary = "The monolithic CAF document: the very bytes stored, verified against their SHA-256")
    @APIResponse(responseCode = "200", description = "The document; ETag is its SHA-256")
    @APIResponse(responseCode = "404", description = "No such checkpoint")
    @APIResponse(responseCode = "502", description = "The stored document failed its checksum")
    @APIResponse(responseCode = "503", description = "S3 unavailable; Retry-After")
    public Uni<RestResponse<byte[]>> document(@PathParam("id") String id) {
        return reader.row(tenant.tenant(), Ids.path("id", id))
                .flatMap(row -> reader.document(row)
                        .map(bytes -> RestResponse.ResponseBuilder.ok(bytes, MediaType.APPLICATION_JSON_TYPE)
                                .header(HttpHeaders.ETAG, "\"" + row.summary().sha256() + "\"")
                                .header(
                                        "Content-Disposition",
                                        disposition(row.summary().id()))
                                .build()));
    }

    @GET
    @Path("{id}/thoughts")
    @Operation(summary = "The checkpoint's normalized thoughts, filtered by type and confidence, paged")
    @APIResponse(responseCode = "200", description = "A page of ThoughtSteps")
    @APIResponse(responseCode = "404", description = "No such checkpoint")
    public Uni<Page<ThoughtStep>> thoughts(
            @PathParam("id") String id,
            @QueryParam("type") String type,
            @QueryParam("min_confidence") Double min,
            @QueryParam("max_confidence") Double max,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit) {
        return reader.thoughts(
                tenant.tenant(),
                Ids.path("id", id),
                QueryParams.wire("type", type, ThoughtType::of),
                QueryParams.confidence("min_confidence", min),
                QueryParams.confidence("max_confidence", max),
                cursor,
                Cursors.limit(limit));
    }

    @GET
    @Path("{id}/tool-calls")
    @Operation(summary = "The checkpoint's normalized finished tool calls, filtered by tool and status, paged")
    @APIResponse(responseCode = "200", description = "A page of tool calls")
    @APIResponse(responseCode = "404", description = "No such checkpoint")
    public Uni<Page<CheckpointToolCallView>> toolCalls(
            @PathParam("id") String id,
            @QueryParam("tool_id") String toolId,
            @QueryParam("status") String status,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit) {
        return reader.toolCalls(tenant.tenant(), Ids.path("id", id), toolId, status, cursor, Cursors.limit(limit));
    }

    @POST
    @Path("{id}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Restore in place (default) or as a fork {mode: fork, execution_id?}; checksum verified first")
    @APIResponse(responseCode = "200", description = "The execution as it now is")
    @APIResponse(responseCode = "404", description = "No such checkpoint")
    @APIResponse(responseCode = "409", description = "The fork's execution id exists")
    @APIResponse(responseCode = "422", description = "Bad mode or execution id")
    @APIResponse(responseCode = "502", description = "The stored document failed its checksum; nothing changed")
    @APIResponse(responseCode = "503", description = "S3 or PostgreSQL unavailable; nothing changed; Retry-After")
    public Uni<ExecutionView> restore(@PathParam("id") String id, byte[] body) {
        String checkpointId = Ids.path("id", id);
        return restore.restore(tenant.tenant(), checkpointId, RestoreRequest.from(bodies.optional(body), bodies));
    }

    @GET
    @Path("{id}/diff")
    @Operation(summary = "CAF diff from checkpoint `against` to this one, plus thoughts and tool calls added")
    @APIResponse(
            responseCode = "200",
            description = "{from_checkpoint_id, changes, summary, thoughts_added, tool_calls_added}")
    @APIResponse(responseCode = "400", description = "`against` missing")
    @APIResponse(responseCode = "404", description = "Either checkpoint does not exist")
    public Uni<CheckpointDiffView> diff(@PathParam("id") String id, @QueryParam("against") String against) {
        if (against == null) {
            throw BadRequest.field("against", "is required");
        }
        return reader.diff(tenant.tenant(), Ids.path("id", id), Ids.path("against", against));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a checkpoint: rows and object")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such checkpoint")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return maintenance.delete(tenant.tenant(), Ids.path("id", id)).map(x -> RestResponse.noContent());
    }

    /** 201 with the new checkpoint's Location, or 200 when the request found it already stored. */
    static RestResponse<CheckpointSummary> response(CheckpointWriter.Stored stored) {
        if (!stored.created()) {
            return RestResponse.ok(stored.summary());
        }
        return RestResponse.ResponseBuilder.<CheckpointSummary>created(URI.create("/api/v1/checkpoints/"
                        + QueryParams.encode(stored.summary().id())))
                .entity(stored.summary())
                .build();
    }

    /** {@code attachment; filename="<id>.json"}, with an RFC 6266 UTF-8 form for ids that need escaping. */
    static String disposition(String id) {
        String ascii = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return "attachment; filename=\"" + ascii + ".json\"; filename*=UTF-8''" + QueryParams.encode(id + ".json");
    }
}
