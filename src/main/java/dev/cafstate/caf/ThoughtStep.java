package dev.cafstate.caf;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One step of the thought chain (CAF ThoughtStep); steps form a tree through {@code parent_id}/{@code children}. */
public record ThoughtStep(
        @Size(min = 1, max = 128) String id,
        @NotNull ThoughtType type,
        @NotNull String content,
        String reasoning,
        @NotNull @DecimalMin("0") @DecimalMax("1") Double confidence,
        List<@Valid @NotNull Alternative> alternatives,
        @Size(min = 1, max = 128) String parentId,
        List<@NotNull String> children,
        ObjectNode metadata,
        @PositiveOrZero Long timestamp) {

    /** This step with the server's defaults filled in: id, timestamp and the children it already has. */
    public ThoughtStep withDefaults(String defaultId, long now, List<String> ownChildren) {
        return new ThoughtStep(id == null ? defaultId : id, type, content, reasoning, confidence, alternatives,
                parentId, ownChildren, metadata, timestamp == null ? now : timestamp);
    }
}
