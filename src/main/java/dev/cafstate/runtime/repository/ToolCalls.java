package dev.cafstate.runtime.repository;

import dev.cafstate.caf.ToolCall;
import dev.cafstate.common.json.Json;

/** Rules for tool-call records shared by reads and writes. */
public final class ToolCalls {

    /** Placeholder tool of a call that was known by id alone (restored from a CAF pending/running list). */
    public static final String UNKNOWN_TOOL = "unknown";

    private ToolCalls() {}

    /** The call as a full CAF record: a call known by id alone gets the placeholder tool and empty arguments. */
    public static ToolCall complete(ToolCall call, Json json) {
        if (call.toolId() != null && call.arguments() != null) {
            return call;
        }
        return new ToolCall(
                call.id(),
                call.toolId() == null ? UNKNOWN_TOOL : call.toolId(),
                call.arguments() == null ? json.mapper().createObjectNode() : call.arguments(),
                call.status(),
                call.result(),
                call.error(),
                call.durationMs(),
                call.timestamp());
    }
}
