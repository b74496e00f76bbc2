package dev.cafstate.caf;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

/** A memory entry of the context (CAF Context.memory[]). */
public record MemoryEntry(
        @NotNull @Size(min = 1, max = 128) String key,
        @NotNull JsonNode value,
        @NotNull @DecimalMin("0") @DecimalMax("1") Double importance,
        @NotNull @PositiveOrZero Long timestamp) {
}
