package dev.cafstate.checkpoint.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.caf.Checkpoint;
import dev.cafstate.caf.RuntimeSnapshot;
import dev.cafstate.checkpoint.api.RestoreRequest;
import dev.cafstate.common.error.IntegrityFailure;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.metrics.Timings;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.api.ExecutionView;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.runtime.repository.StateWriter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Restores a checkpoint into the runtime. The document (inline copy or object) is verified against its SHA-256
 * first; a tampered one is refused and nothing changes. In place, the execution's four parts are replaced in one
 * transaction of three statements (the execution row with {@code agent.resumed}, made again when it was deleted; the
 * parts' deletion; their insertion); as a fork, a new execution is made (with {@code agent.started}, then its parts)
 * whose next checkpoint names this one as its parent with {@code is_branch: true}.
 */
@ApplicationScoped
public class RestoreService {

    private final Pool pool;
    private final CheckpointReader reader;
    private final ExecutionRepository executions;
    private final StateWriter writer;
    private final EventRecorder events;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Timings stages;

    public RestoreService(
            Pool pool,
            CheckpointReader reader,
            ExecutionRepository executions,
            StateWriter writer,
            EventRecorder events,
            ObjectMapper mapper,
            Clock clock,
            Timings stages) {
        this.pool = pool;
        this.reader = reader;
        this.executions = executions;
        this.writer = writer;
        this.events = events;
        this.mapper = mapper;
        this.clock = clock;
        this.stages = stages;
    }

    /** Restores and returns the execution as it now is. */
    public Uni<ExecutionView> restore(Tenant tenant, String checkpointId, RestoreRequest request) {
        RestoreRequest.Mode mode =
                request == null || request.mode() == null ? RestoreRequest.Mode.IN_PLACE : request.mode();
        String requestedId = request == null ? null : request.executionId();
        return reader.row(tenant, checkpointId)
                .flatMap(reader::tree)
                .map(tree -> {
                    try {
                        return mapper.treeToValue(tree, Checkpoint.class);
                    } catch (JsonProcessingException e) {
                        throw new IntegrityFailure("checkpoint '" + checkpointId + "' does not hold a CAF document");
                    }
                })
                .flatMap(doc -> {
                    if (mode == RestoreRequest.Mode.FORK) {
                        String forkId = requestedId == null ? Ids.generate() : requestedId;
                        return fork(tenant, checkpointId, doc, forkId);
                    }
                    if (requestedId != null && !requestedId.equals(doc.executionId())) {
                        throw InvalidInput.field(
                                "execution_id",
                                "an in-place restore goes into the checkpoint's own execution;"
                                        + " use mode fork for another");
                    }
                    return inPlace(tenant, checkpointId, doc);
                });
    }

    private Uni<ExecutionView> inPlace(Tenant tenant, String checkpointId, Checkpoint doc) {
        long now = clock.now();
        String id = doc.executionId();
        StateWriter.Whole whole = whole(doc.snapshot());
        String event = events.json(tenant, now, new CafEvent.AgentResumed(id, null, checkpointId));
        // the execution row first: its lock orders this restore against every change of the parts
        return stages.stage(
                "restore-rows",
                () -> pool.withTransaction(conn -> executions
                        .restore(
                                conn,
                                tenant,
                                id,
                                doc.agentId(),
                                doc.metadata().agentName(),
                                checkpointId,
                                whole.head(),
                                null,
                                event,
                                now)
                        .call(view -> writer.replaceParts(
                                conn,
                                tenant,
                                id,
                                doc.snapshot().thoughtChain(),
                                doc.snapshot().context(),
                                whole))));
    }

    /**
     * The target's side of a handoff: restores the handoff's final checkpoint in place and takes the execution over
     * at {@code epoch} (it is written here from now on, under the same id); null, and nothing changed, when this
     * cluster already holds that epoch or a later one.
     *
     * @param event what to record, besides {@code agent.resumed}
     */
    public Uni<ExecutionView> takeOver(Tenant tenant, String checkpointId, long epoch, CafEvent event) {
        return reader.row(tenant, checkpointId)
                .flatMap(reader::tree)
                .map(tree -> {
                    try {
                        return mapper.treeToValue(tree, Checkpoint.class);
                    } catch (JsonProcessingException e) {
                        throw new IntegrityFailure("checkpoint '" + checkpointId + "' does not hold a CAF document");
                    }
                })
                .flatMap(doc -> {
                    long now = clock.now();
                    String id = doc.executionId();
                    StateWriter.Whole whole = whole(doc.snapshot());
                    String events = this.events.json(
                            tenant, now, List.of(new CafEvent.AgentResumed(id, null, checkpointId), event));
                    return pool.withTransaction(conn -> executions
                            .restore(
                                    conn,
                                    tenant,
                                    id,
                                    doc.agentId(),
                                    doc.metadata().agentName(),
                                    checkpointId,
                                    whole.head(),
                                    epoch,
                                    events,
                                    now)
                            .call(view -> view == null
                                    ? Uni.createFrom().voidItem()
                                    : writer.replaceParts(
                                            conn,
                                            tenant,
                                            id,
                                            doc.snapshot().thoughtChain(),
                                            doc.snapshot().context(),
                                            whole)));
                });
    }

    private Uni<ExecutionView> fork(Tenant tenant, String checkpointId, Checkpoint doc, String forkId) {
        long now = clock.now();
        StateWriter.Whole whole = whole(doc.snapshot());
        String event = events.json(tenant, now, new CafEvent.AgentStarted(forkId, doc.agentId()));
        ExecutionRepository.NewExecution fork = new ExecutionRepository.NewExecution(
                forkId, doc.agentId(), doc.metadata().agentName(), null, whole.head(), checkpointId);
        return pool.withTransaction(conn -> executions
                .create(conn, tenant, fork, event, now)
                .call(view -> writer.insertParts(conn, tenant, forkId, whole)));
    }

    private StateWriter.Whole whole(RuntimeSnapshot s) {
        return writer.whole(s.thoughtChain(), s.context(), s.toolState(), s.progress());
    }
}
