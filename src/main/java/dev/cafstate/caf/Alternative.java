package dev.cafstate.caf;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;

/** An option a thought step considered and rejected. */
public record Alternative(
        @NotNull String option,
        @NotNull String reasonRejected,
        @DecimalMin("0") @DecimalMax("1") Double confidence) {
}
