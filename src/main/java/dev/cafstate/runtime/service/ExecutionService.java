package dev.cafstate.runtime.service;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.RuntimeSnapshot;
import dev.cafstate.common.error.StaleVersion;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.json.MergePatch;
import dev.cafstate.common.paging.Cursors;
import dev.cafstate.common.paging.Page;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.api.CreateExecutionRequest;
import dev.cafstate.runtime.api.ExecutionPatch;
import dev.cafstate.runtime.api.ExecutionStatus;
import dev.cafstate.runtime.api.ExecutionView;
import dev.cafstate.runtime.api.InitialState;
import dev.cafstate.runtime.api.Versioned;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.runtime.repository.RuntimeHead;
import dev.cafstate.runtime.repository.StateReader;
import dev.cafstate.runtime.repository.StateWriter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** Use cases of executions: create (optionally seeded), read, list, status/metadata changes, delete. */
@ApplicationScoped
public class ExecutionService {

    private final Pool pool;
    private final ExecutionRepository executions;
    private final StateWriter writer;
    private final StateReader reader;
    private final EventRecorder events;
    private final Json json;
    private final Clock clock;

    public ExecutionService(
            Pool pool,
            ExecutionRepository executions,
            StateWriter writer,
            StateReader reader,
            EventRecorder events,
            Json json,
            Clock clock) {
        this.pool = pool;
        this.executions = executions;
        this.writer = writer;
        this.reader = reader;
        this.events = events;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Creates an execution in status {@code running}, seeds its runtime parts from {@code initial_state} when given,
     * and emits {@code agent.started}, all in one transaction.
     *
     * @throws StateConflict when the id is taken
     */
    public Uni<ExecutionView> create(Tenant tenant, CreateExecutionRequest request) {
        String id = request.id() == null ? Ids.generate() : request.id();
        long now = clock.now();
        InitialState init = request.initialState();
        String event = events.json(tenant, now, new CafEvent.AgentStarted(id, request.agentId()));
        StateWriter.Whole whole = init == null
                ? null
                : writer.whole(init.thoughtChain(), init.context(), init.toolState(), init.progress());
        ExecutionRepository.NewExecution execution = new ExecutionRepository.NewExecution(
                id,
                request.agentId(),
                request.agentName(),
                json.write(request.metadata()),
                whole == null ? RuntimeHead.empty() : whole.head(),
                null);
        if (whole == null) {
            return executions.create(pool, tenant, execution, event, now);
        }
        return pool.withTransaction(conn -> executions
                .create(conn, tenant, execution, event, now)
                .call(view -> writer.insertParts(conn, tenant, id, whole)));
    }

    /** The execution, or 404 (also for another tenant's). */
    public Uni<ExecutionView> get(Tenant tenant, String id) {
        return executions.get(tenant, id);
    }

    /** A page of executions, newest first. */
    public Uni<Page<ExecutionView>> list(
            Tenant tenant, String agentId, ExecutionStatus status, String cursor, int limit) {
        Cursors.Keyset after = Cursors.keyset(cursor);
        return executions
                .list(
                        tenant,
                        agentId,
                        status,
                        after == null ? null : after.timestamp(),
                        after == null ? null : after.id(),
                        limit + 1)
                .map(rows -> Page.of(rows, limit, last -> Cursors.keyset(last.startedAt(), last.id())));
    }

    /**
     * Applies a merge patch of {@code status} and/or {@code metadata}. A status change must be a legal transition
     * (409 otherwise) and emits its CAF event; a metadata-only change emits {@code agent.updated}.
     */
    public Uni<ExecutionView> patch(Tenant tenant, String id, IfMatch expected, ExecutionPatch patch) {
        ExecutionStatus wanted = patch.status();
        JsonNode metadataPatch = patch.patchesMetadata() ? patch.metadata() : null;
        long now = clock.now();
        return pool.withTransaction(conn -> executions
                .get(conn, tenant, id, true)
                .flatMap(current -> {
                    if (!current.writable()) {
                        return executions.<ExecutionView>whyNot(conn, tenant, id, null);
                    }
                    if (expected != null && !expected.matches(current.version())) {
                        throw new StaleVersion("execution '" + id + "' is at version " + current.version()
                                + "; If-Match names " + expected);
                    }
                    boolean statusChanges = wanted != null && wanted != current.status();
                    if (statusChanges && !current.status().next().contains(wanted)) {
                        throw new StateConflict("execution '" + id + "' cannot go from "
                                + current.status().wire() + " to " + wanted.wire());
                    }
                    ExecutionStatus status = statusChanges ? wanted : current.status();
                    Long endedAt = statusChanges && status.finished() ? Long.valueOf(now) : current.endedAt();
                    JsonNode metadata = metadataPatch == null
                            ? current.metadata()
                            : MergePatch.apply(current.metadata(), metadataPatch);
                    CafEvent event = statusChanges
                            ? CafEvent.statusChanged(id, status)
                            : new CafEvent.AgentUpdated(id, metadata);
                    return executions.update(
                            conn,
                            tenant,
                            id,
                            status,
                            endedAt,
                            json.write(metadata),
                            events.json(tenant, now, event),
                            now);
                }));
    }

    /** Deletes the execution and its runtime state (checkpoints are kept). */
    public Uni<Void> delete(Tenant tenant, String id, IfMatch expected) {
        return pool.withTransaction(conn -> executions
                        .get(conn, tenant, id, true)
                        .flatMap(current -> {
                            if (current.handoffId() != null) {
                                return executions.<Boolean>whyNot(conn, tenant, id, null);
                            }
                            if (expected != null && !expected.matches(current.version())) {
                                throw new StaleVersion("execution '" + id + "' is at version " + current.version()
                                        + "; If-Match names " + expected);
                            }
                            return executions.delete(conn, tenant, id);
                        }))
                .replaceWithVoid();
    }

    /** All four runtime parts as one consistent CAF snapshot, with the version it was read at. */
    public Uni<Versioned<RuntimeSnapshot>> state(Tenant tenant, String id) {
        return reader.snapshot(tenant, id);
    }
}
