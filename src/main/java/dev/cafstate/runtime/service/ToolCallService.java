package dev.cafstate.runtime.service;

import java.util.EnumSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.caf.ToolCall;
import dev.cafstate.caf.ToolCallStatus;
import dev.cafstate.caf.ToolState;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.api.ToolCallCreate;
import dev.cafstate.runtime.api.ToolCallUpdate;
import dev.cafstate.runtime.api.Versioned;
import dev.cafstate.runtime.repository.Mutations;
import dev.cafstate.runtime.repository.StateReader;
import dev.cafstate.runtime.repository.ToolCallRepository;
import dev.cafstate.runtime.repository.ToolCalls;
import io.smallrye.mutiny.Uni;

/**
 * Use cases of the tool state. A call is created pending or running ({@code tool.called}); it then moves
 * pending -> running -> completed/failed (or straight from pending to completed/failed, or to cancelled, which
 * CAF lists under {@code failed}), emitting {@code tool.completed} or {@code tool.failed}. Anything else is a 409.
 */
@ApplicationScoped
public class ToolCallService {

    private final ToolCallRepository tools;
    private final Mutations mutations;
    private final StateReader reader;
    private final EventRecorder events;
    private final Json json;
    private final Clock clock;

    public ToolCallService(
            ToolCallRepository tools,
            Mutations mutations,
            StateReader reader,
            EventRecorder events,
            Json json,
            Clock clock) {
        this.tools = tools;
        this.mutations = mutations;
        this.reader = reader;
        this.events = events;
        this.json = json;
        this.clock = clock;
    }

    /** The tool state of the execution, consistently read. */
    public Uni<Versioned<ToolState>> state(Tenant tenant, String executionId) {
        return reader.toolState(tenant, executionId);
    }

    /** Records a new call (status pending by default, or running) and emits {@code tool.called}. */
    public Uni<Versioned<ToolCall>> create(
            Tenant tenant, String executionId, IfMatch expected, ToolCallCreate request) {
        ToolCallStatus status = request.status() == null ? ToolCallStatus.PENDING : request.status();
        String id = request.id() == null ? Ids.generate() : request.id();
        long now = clock.now();
        ToolCall call = new ToolCall(
                id,
                request.toolId(),
                request.arguments(),
                status,
                null,
                null,
                null,
                request.timestamp() == null ? now : request.timestamp());
        String event = events.json(tenant, now, new CafEvent.ToolCalled(executionId, call));
        return tools.create(tenant, executionId, expected, now, call, event).map(v -> new Versioned<>(call, v));
    }

    /** Moves a call to its next status with its outcome, emitting {@code tool.completed} or {@code tool.failed}. */
    public Uni<Versioned<ToolCall>> update(
            Tenant tenant, String executionId, String callId, IfMatch expected, ToolCallUpdate update) {
        ToolCallStatus next = update.status();
        long now = clock.now();
        return mutations.inTransaction(
                tenant,
                executionId,
                expected,
                now,
                (conn, version) -> tools.lock(conn, tenant, executionId, callId).flatMap(current -> {
                    if (!allowed(current.status()).contains(next)) {
                        throw new StateConflict("tool call '" + callId + "' cannot go from "
                                + current.status().wire() + " to " + next.wire());
                    }
                    ToolCall moved = ToolCalls.complete(
                            new ToolCall(
                                    current.id(),
                                    current.toolId(),
                                    current.arguments(),
                                    next,
                                    update.result() != null ? update.result() : current.result(),
                                    update.error() != null ? update.error() : current.error(),
                                    update.durationMs() != null ? update.durationMs() : current.durationMs(),
                                    current.timestamp()),
                            json);
                    return tools.update(conn, tenant, executionId, version, moved)
                            .flatMap(x -> events.record(conn, tenant, now, CafEvent.toolMoved(executionId, moved)))
                            .replaceWith(new Versioned<>(moved, version));
                }));
    }

    /** Legal next statuses of a call. */
    static Set<ToolCallStatus> allowed(ToolCallStatus from) {
        return switch (from) {
            case PENDING ->
                EnumSet.of(
                        ToolCallStatus.RUNNING,
                        ToolCallStatus.COMPLETED,
                        ToolCallStatus.FAILED,
                        ToolCallStatus.CANCELLED);
            case RUNNING -> EnumSet.of(ToolCallStatus.COMPLETED, ToolCallStatus.FAILED, ToolCallStatus.CANCELLED);
            case COMPLETED, FAILED, CANCELLED -> EnumSet.noneOf(ToolCallStatus.class);
        };
    }
}
