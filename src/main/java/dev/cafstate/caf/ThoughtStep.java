package dev.cafstate.caf;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One step of the thought chain (CAF ThoughtStep); steps form a tree through {@code parent_id}/{@code children}. */
public record ThoughtStep(
        String id,
        ThoughtType type,
        String content,
        String reasoning,
        Double confidence,
        List<Alternative> alternatives,
        String parentId,
        List<String> children,
        ObjectNode metadata,
        Long timestamp) {

    /** This step with the server's defaults filled in: id, timestamp and the children it already has. */
    public ThoughtStep withDefaults(String defaultId, long now, List<String> ownChildren) {
        return new ThoughtStep(
                id == null ? defaultId : id,
                type,
                content,
                reasoning,
                confidence,
                alternatives,
                parentId,
                ownChildren,
                metadata,
                timestamp == null ? now : timestamp);
    }
}
