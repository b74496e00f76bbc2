package dev.cafstate.transfer.api;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/** Body of {@code POST /executions/{id}/handoff}: the location to hand off through, and the cluster that takes over. */
public record HandoffRequest(String location, String targetCluster) {

    public static HandoffRequest from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.onlyMembers(body, "", Set.of("location", "target_cluster"), "location and target_cluster");
            c.string(c.required(body, "location", ""), "location");
            c.id(c.required(body, "target_cluster", ""), "target_cluster");
        }
        c.throwIfAny();
        return new HandoffRequest(
                body.get("location").textValue(), body.get("target_cluster").textValue());
    }
}
