package dev.cafstate.runtime.api;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import dev.cafstate.caf.WireEnum;

/** Lifecycle of an execution and its legal transitions. */
public enum ExecutionStatus implements WireEnum {
    PENDING,
    RUNNING,
    PAUSED,
    COMPLETED,
    FAILED,
    CANCELLED;

    /** The wire names of all statuses. */
    public static final Set<String> WIRE =
            Arrays.stream(values()).map(ExecutionStatus::wire).collect(Collectors.toUnmodifiableSet());

    @JsonValue
    @Override
    public String wire() {
        return WireEnum.super.wire();
    }

    @JsonCreator
    public static ExecutionStatus of(String value) {
        return WireEnum.parse(ExecutionStatus.class, value);
    }

    /** Completed, failed and cancelled executions are finished: their status and runtime state are final. */
    public boolean finished() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** The statuses this one may move to. */
    public Set<ExecutionStatus> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED);
            case RUNNING -> EnumSet.of(PAUSED, COMPLETED, FAILED, CANCELLED);
            case PAUSED -> EnumSet.of(RUNNING, COMPLETED, FAILED, CANCELLED);
            case COMPLETED, FAILED, CANCELLED -> EnumSet.noneOf(ExecutionStatus.class);
        };
    }
}
