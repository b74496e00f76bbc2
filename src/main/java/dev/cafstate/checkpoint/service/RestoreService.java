package dev.cafstate.checkpoint.service;

import dev.cafstate.common.security.Tenant;
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
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.api.ExecutionView;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.runtime.repository.StateWriter;
import dev.cafstate.common.time.Clock;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Restores a checkpoint into the runtime. The document (inline copy or object) is verified against its SHA-256
 * first; a tampered one is refused and nothing changes. In place, the execution's four parts are replaced in one
 * transaction (the execution is re-created when it was deleted) and {@code agent.resumed} is emitted; as a fork, a
 * new execution is made whose next checkpoint names this one as its parent with {@code is_branch: true}, and
 * {@code agent.started} is emitted.
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

    public RestoreService(Pool pool, CheckpointReader reader, ExecutionRepository executions, StateWriter writer,
            EventRecorder events, ObjectMapper mapper, Clock clock, Timings stages) {
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
        RestoreRequest.Mode mode = request == null || request.mode() == null ? RestoreRequest.Mode.IN_PLACE
                : request.mode();
        String requestedId = request == null ? null : request.executionId();
        return reader.row(tenant, checkpointId).flatMap(reader::tree).map(tree -> {
            try {
                return mapper.treeToValue(tree, Checkpoint.class);
            } catch (JsonProcessingException e) {
                throw new IntegrityFailure("checkpoint '" + checkpointId + "' does not hold a CAF document");
            }
        }).flatMap(doc -> {
            if (mode == RestoreRequest.Mode.FORK) {
                String forkId = requestedId == null ? Ids.generate() : requestedId;
                return fork(tenant, checkpointId, doc, forkId);
            }
            if (requestedId != null && !requestedId.equals(doc.executionId())) {
                throw InvalidInput.field("execution_id",
                        "an in-place restore goes into the checkpoint's own execution; use mode fork for another");
            }
            return inPlace(tenant, checkpointId, doc);
        });
    }

    private Uni<ExecutionView> inPlace(Tenant tenant, String checkpointId, Checkpoint doc) {
        long now = clock.now();
        String id = doc.executionId();
        return stages.stage("restore-rows", () -> pool.withTransaction(conn -> conn
                .preparedQuery("SELECT 1 FROM executions WHERE tenant = $1 AND id = $2 FOR UPDATE")
                .execute(Tuple.of(tenant.id(), id))
                .flatMap(rows -> rows.size() > 0 ? Uni.createFrom().voidItem()
                        : executions.insert(conn, tenant, id, doc.agentId(), doc.metadata().agentName(), null, now))
                .flatMap(x -> replace(conn, tenant, id, doc.snapshot()))
                .flatMap(x -> point(conn, tenant, id, checkpointId, false, now))
                .flatMap(x -> events.record(conn, tenant, now, new CafEvent.AgentResumed(id, null, checkpointId)))
                .flatMap(x -> executions.get(conn, tenant, id, false))));
    }

    private Uni<ExecutionView> fork(Tenant tenant, String checkpointId, Checkpoint doc, String forkId) {
        long now = clock.now();
        return pool.withTransaction(conn -> executions
                .insert(conn, tenant, forkId, doc.agentId(), doc.metadata().agentName(), null, now)
                .flatMap(x -> replace(conn, tenant, forkId, doc.snapshot()))
                .flatMap(x -> point(conn, tenant, forkId, checkpointId, true, now))
                .flatMap(x -> events.record(conn, tenant, now, new CafEvent.AgentStarted(forkId, doc.agentId())))
                .flatMap(x -> executions.get(conn, tenant, forkId, false)));
    }

    private Uni<Void> replace(SqlConnection conn, Tenant tenant, String id, RuntimeSnapshot s) {
        return writer.replace(conn, tenant, id, s.thoughtChain(), s.context(), s.toolState(), s.progress());
    }

    /** The execution runs again from the checkpoint, which becomes the parent of its next checkpoint. */
    private Uni<Void> point(SqlConnection conn, Tenant tenant, String id, String checkpointId, boolean branch,
            long now) {
        return conn.preparedQuery("""
                UPDATE executions SET parent_checkpoint_id = $3, parent_is_branch = $4, current_checkpoint_id = $3,
                  status = 'running', ended_at = NULL, version = version + 1, updated_at = $5
                WHERE tenant = $1 AND id = $2""")
                .execute(Tuple.of(tenant.id(), id, checkpointId, branch, now)).replaceWithVoid();
    }
}
