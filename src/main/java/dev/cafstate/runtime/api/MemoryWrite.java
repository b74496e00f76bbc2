package dev.cafstate.runtime.api;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import com.fasterxml.jackson.databind.JsonNode;

/** Body of {@code PUT .../context/memory/{key}}; the timestamp defaults to now. */
public record MemoryWrite(
        @NotNull JsonNode value,
        @NotNull @DecimalMin("0") @DecimalMax("1") Double importance,
        @PositiveOrZero Long timestamp) {
}
