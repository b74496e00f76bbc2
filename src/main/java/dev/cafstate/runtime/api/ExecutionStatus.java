package dev.cafstate.runtime.api;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import dev.cafstate.caf.WireEnum;
import dev.cafstate.events.EventTypes;

/** Lifecycle of an execution and its legal transitions. */
public enum ExecutionStatus implements WireEnum {
    PENDING, RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED;

    /** The wire names of all statuses. */
    public static final Set<String> WIRE = Arrays.stream(values()).map(ExecutionStatus::wire)
            .collect(Collectors.toUnmodifiableSet());

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

    /** The CAF event announcing a move into this status. */
    public String eventType() {
        return switch (this) {
            case PAUSED -> EventTypes.AGENT_PAUSED;
            case RUNNING, PENDING -> EventTypes.AGENT_RESUMED;
            case COMPLETED -> EventTypes.AGENT_COMPLETED;
            case FAILED -> EventTypes.AGENT_FAILED;
            case CANCELLED -> EventTypes.AGENT_CANCELLED;
        };
    }
}
