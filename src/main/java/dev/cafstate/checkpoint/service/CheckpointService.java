package dev.cafstate.checkpoint.service;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.caf.Checkpoint;
import dev.cafstate.caf.CheckpointMetadata;
import dev.cafstate.caf.CheckpointParent;
import dev.cafstate.caf.CheckpointReason;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.checkpoint.api.CreateCheckpointRequest;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.service.CheckpointWriter.ExecutionLink;
import dev.cafstate.checkpoint.service.CheckpointWriter.Stored;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;
import dev.cafstate.common.metrics.Timings;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.runtime.repository.ExecutionSnapshot;
import dev.cafstate.runtime.repository.StateReader;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** The two ways a checkpoint is made: taken from the runtime state, or pushed by an agent as a CAF document. */
@ApplicationScoped
public class CheckpointService {

    private final StateReader reader;
    private final CheckpointWriter writer;
    private final CheckpointRepository checkpoints;
    private final JsonBodies bodies;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Timings stages;
    private final ExecutionRepository executions;
    private final Pool pool;

    public CheckpointService(
            StateReader reader,
            CheckpointWriter writer,
            CheckpointRepository checkpoints,
            JsonBodies bodies,
            ObjectMapper mapper,
            Clock clock,
            Timings stages,
            ExecutionRepository executions,
            Pool pool) {
        this.executions = executions;
        this.pool = pool;
        this.reader = reader;
        this.writer = writer;
        this.checkpoints = checkpoints;
        this.bodies = bodies;
        this.mapper = mapper;
        this.clock = clock;
        this.stages = stages;
    }

    /**
     * Takes a checkpoint of an execution's runtime state: the four parts read as one snapshot, the CAF 0.0.1
     * document built from them (metadata from the progress counters; {@code parent} when the execution was
     * restored or forked), then stored. A request repeated with the same {@code Idempotency-Key} returns the
     * checkpoint the first one made.
     */
    public Uni<Stored> create(
            Tenant tenant, String executionId, CreateCheckpointRequest request, Idempotency idempotency) {
        return create(tenant, executionId, request, idempotency, null);
    }

    /**
     * The final checkpoint of a handoff under way ({@code handoffId}): taken although the execution is fenced, once
     * (a retry after a restart gets the same checkpoint).
     */
    public Uni<Stored> createForHandoff(Tenant tenant, String executionId, String handoffId, String target) {
        CreateCheckpointRequest r = new CreateCheckpointRequest(
                CheckpointReason.MANUAL, "handoff", "final checkpoint before the handoff to cluster " + target);
        return create(tenant, executionId, r, new Idempotency("handoff-" + handoffId, null), handoffId);
    }

    private Uni<Stored> create(
            Tenant tenant,
            String executionId,
            CreateCheckpointRequest request,
            Idempotency idempotency,
            String handoffId) {
        CreateCheckpointRequest r = request == null ? CreateCheckpointRequest.DEFAULTS : request;
        Uni<Stored> replay = idempotency == null
                ? Uni.createFrom().nullItem()
                : checkpoints
                        .findByIdempotencyKey(tenant, executionId, idempotency.key())
                        .map(row -> {
                            if (row == null) {
                                return null;
                            }
                            idempotency.sameRequestAs(row);
                            return new Stored(row.summary(), false);
                        });
        return replay.flatMap(previous -> previous != null
                ? Uni.createFrom().item(previous)
                : stages.stage("snapshot", () -> reader.read(tenant, executionId))
                        .flatMap(snapshot -> {
                            boolean handoff = handoffId != null && handoffId.equals(snapshot.handoffId());
                            if (!snapshot.writable() && !handoff) {
                                return executions.<Stored>whyNot(pool, tenant, executionId, null);
                            }
                            return writer.store(
                                    tenant,
                                    CheckpointDocument.of(mapper, document(executionId, snapshot, r)),
                                    idempotency,
                                    ExecutionLink.RUNTIME,
                                    handoff ? CheckpointWriter.Origin.HANDOFF : CheckpointWriter.Origin.LOCAL,
                                    null);
                        }));
    }

    private Checkpoint document(String executionId, ExecutionSnapshot s, CreateCheckpointRequest r) {
        ExecutionProgress p = s.snapshot().progress();
        CheckpointReason reason = r.reason() == null ? CheckpointReason.MANUAL : r.reason();
        CheckpointMetadata metadata = new CheckpointMetadata(
                p.stepNumber(),
                p.totalStepsEstimate(),
                p.tokensUsed(),
                p.durationMs(),
                reason,
                s.agentName(),
                s.agentId());
        CheckpointParent parent = s.parentCheckpointId() == null
                ? null
                : new CheckpointParent(s.parentCheckpointId(), s.parentIsBranch(), null);
        return new Checkpoint(
                Checkpoint.SCHEMA_VERSION,
                newId(),
                clock.now(),
                executionId,
                s.agentId(),
                s.snapshot(),
                metadata,
                parent,
                null,
                r.name(),
                r.description());
    }

    /**
     * Stores a CAF document as the SDK produced it: the bytes as received, unknown members included. It must pass
     * CAF's schema and the runtime model's rules ({@link CafSchema}; 422 with every field error otherwise). The same
     * id with the same content is not stored twice; with other content it is a 409.
     *
     * @param received the request body's bytes
     * @param body those bytes, parsed
     */
    public Uni<Stored> push(Tenant tenant, byte[] received, JsonNode body) {
        JsonChecks checks = bodies.checks();
        CafSchema.checkpoint(checks, body);
        checks.throwIfAny();
        return writer.store(tenant, CheckpointDocument.pushed(received, body), null, ExecutionLink.PUSHED);
    }

    /** A checkpoint id: {@code ckpt_} and a random UUID without dashes. */
    static String newId() {
        return "ckpt_" + UUID.randomUUID().toString().replace("-", "");
    }
}
