package dev.cafstate.caf;

import java.math.BigDecimal;

/** An option a thought step considered and rejected (its confidence, unlike the step's, has no bounds in CAF). */
public record Alternative(String option, String reasonRejected, BigDecimal confidence) {}
