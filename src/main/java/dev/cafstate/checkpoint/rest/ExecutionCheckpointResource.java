package dev.cafstate.checkpoint.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
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

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.api.CreateCheckpointRequest;
import dev.cafstate.checkpoint.service.CheckpointService;
import dev.cafstate.checkpoint.service.Idempotency;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.security.TenantContext;
import io.smallrye.mutiny.Uni;

/** Taking a checkpoint of an execution's runtime state. */
@Path("/api/v1/executions/{id}/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Checkpoints")
@SecurityRequirement(name = "bearer")
public class ExecutionCheckpointResource {

    private final CheckpointService service;
    private final TenantContext tenant;
    private final JsonBodies bodies;

    public ExecutionCheckpointResource(CheckpointService service, TenantContext tenant, JsonBodies bodies) {
        this.service = service;
        this.tenant = tenant;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Checkpoint the runtime state {reason?, name?, description?}; emits agent.checkpoint")
    @APIResponse(responseCode = "201", description = "Created; the summary")
    @APIResponse(responseCode = "200", description = "Replay of a request with the same Idempotency-Key")
    @APIResponse(responseCode = "404", description = "No such execution")
    @APIResponse(responseCode = "413", description = "The document would exceed caf.checkpoints.max-document-bytes")
    @APIResponse(responseCode = "422", description = "Bad reason")
    @APIResponse(responseCode = "503", description = "S3 or PostgreSQL unavailable; nothing stored; Retry-After")
    public Uni<RestResponse<CheckpointSummary>> create(
            @PathParam("id") String id, @HeaderParam("Idempotency-Key") String idempotencyKey, byte[] body) {
        String executionId = Ids.path("id", id);
        String key = idempotencyKey == null ? null : Ids.path("Idempotency-Key", idempotencyKey);
        JsonNode json = bodies.optional(body);
        CreateCheckpointRequest request = CreateCheckpointRequest.from(json, bodies);
        return service.create(tenant.tenant(), executionId, request, Idempotency.of(key, json))
                .map(CheckpointResource::response);
    }
}
