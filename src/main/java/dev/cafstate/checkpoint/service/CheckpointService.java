package dev.cafstate.checkpoint.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.Checkpoint;
import dev.cafstate.caf.CheckpointMetadata;
import dev.cafstate.caf.CheckpointParent;
import dev.cafstate.caf.CheckpointReason;
import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ToolCall;
import dev.cafstate.checkpoint.api.CreateCheckpointRequest;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.service.CheckpointWriter.ExecutionLink;
import dev.cafstate.checkpoint.service.CheckpointWriter.Stored;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.Problem;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.json.BodyReader;
import dev.cafstate.common.metrics.Timings;
import dev.cafstate.runtime.repository.ExecutionSnapshot;
import dev.cafstate.runtime.repository.StateReader;
import dev.cafstate.runtime.service.Clock;
import io.smallrye.mutiny.Uni;

/** The two ways a checkpoint is made: taken from the runtime state, or pushed by an agent as a CAF document. */
@ApplicationScoped
public class CheckpointService {

    /** Members (below the top level) whose values are free-form JSON, where {@code null} is a legitimate value. */
    private static final Set<String> FREE_FORM = Set.of("metadata", "variables", "arguments", "result", "value",
            "tool_calls", "tool_results", "changes");

    private final StateReader reader;
    private final CheckpointWriter writer;
    private final CheckpointRepository checkpoints;
    private final BodyReader bodies;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Timings stages;

    public CheckpointService(StateReader reader, CheckpointWriter writer, CheckpointRepository checkpoints,
            BodyReader bodies, ObjectMapper mapper, Clock clock, Timings stages) {
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
    public Uni<Stored> create(String tenant, String executionId, CreateCheckpointRequest request,
            String idempotencyKey) {
        CreateCheckpointRequest r = request == null ? new CreateCheckpointRequest(null, null, null) : request;
        Uni<Stored> replay = idempotencyKey == null ? Uni.createFrom().nullItem()
                : checkpoints.findByIdempotencyKey(tenant, executionId, idempotencyKey)
                        .map(row -> row == null ? null : new Stored(row.summary(), false));
        return replay.flatMap(previous -> previous != null ? Uni.createFrom().item(previous)
                : stages.stage("snapshot", () -> reader.read(tenant, executionId)).flatMap(snapshot -> writer.store(tenant,
                        mapper.valueToTree(document(executionId, snapshot, r)), idempotencyKey,
                        ExecutionLink.RUNTIME)));
    }

    private Checkpoint document(String executionId, ExecutionSnapshot s, CreateCheckpointRequest r) {
        ExecutionProgress p = s.snapshot().progress();
        CheckpointReason reason = r.reason() == null ? CheckpointReason.MANUAL : r.reason();
        CheckpointMetadata metadata = new CheckpointMetadata(p.stepNumber(), p.totalStepsEstimate(), p.tokensUsed(),
                p.durationMs(), reason, s.agentName(), s.agentId());
        CheckpointParent parent = s.parentCheckpointId() == null ? null
                : new CheckpointParent(s.parentCheckpointId(), s.parentIsBranch(), null);
        return new Checkpoint(Checkpoint.SCHEMA_VERSION, newId(), clock.now(), executionId, s.agentId(),
                s.snapshot(), metadata, parent, null, r.name(), r.description());
    }

    /**
     * Stores a CAF document as the SDK produced it, unknown members kept. It must pass CAF's schema (422 with field
     * errors otherwise). The same id with the same content is not stored twice; with other content it is a 409.
     */
    public Uni<Stored> push(String tenant, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw InvalidInput.field("body", "must be a CAF checkpoint object");
        }
        List<Problem.FieldError> nulls = new ArrayList<>();
        findNulls(body, "", nulls);
        if (!nulls.isEmpty()) {
            throw new InvalidInput(nulls.size() == 1 ? nulls.get(0).field() + ": " + nulls.get(0).message()
                    : nulls.size() + " fields are invalid", nulls);
        }
        Checkpoint doc = bodies.read(body, Checkpoint.class, "");
        Ids.body("id", doc.id());
        Ids.body("execution_id", doc.executionId());
        if (!doc.metadata().agentId().equals(doc.agentId())) {
            throw InvalidInput.field("metadata.agent_id", "must equal agent_id");
        }
        unique(doc.snapshot().thoughtChain().steps().stream().map(ThoughtStep::id).toList(),
                "snapshot.thought_chain.steps", "step");
        List<ToolCall> finished = new ArrayList<>(doc.snapshot().toolState().completed());
        finished.addAll(doc.snapshot().toolState().failed());
        unique(finished.stream().map(ToolCall::id).toList(), "snapshot.tool_state", "tool call");
        for (ThoughtStep step : doc.snapshot().thoughtChain().steps()) {
            if (step.id() == null || step.timestamp() == null || step.children() == null) {
                throw InvalidInput.field("snapshot.thought_chain.steps",
                        "every step needs id, children and timestamp");
            }
        }
        return writer.store(tenant, (ObjectNode) body, null, ExecutionLink.PUSHED);
    }

    private static void unique(List<String> ids, String field, String what) {
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) {
                throw InvalidInput.field(field, "the " + what + " id '" + id + "' appears twice");
            }
        }
    }

    /** CAF rejects {@code null} for every member of its fixed shapes; free-form values may hold it. */
    private static void findNulls(JsonNode node, String path, List<Problem.FieldError> errors) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> member = it.next();
                String p = path.isEmpty() ? member.getKey() : path + "." + member.getKey();
                if (member.getValue().isNull()) {
                    errors.add(new Problem.FieldError(p, "must be left out rather than null"));
                } else if (path.isEmpty() || !FREE_FORM.contains(member.getKey())) {
                    findNulls(member.getValue(), p, errors);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isNull()) {
                    errors.add(new Problem.FieldError(path + "[" + i + "]", "must not be null"));
                } else {
                    findNulls(node.get(i), path + "[" + i + "]", errors);
                }
            }
        }
    }

    /** A checkpoint id: {@code ckpt_} and a random UUID without dashes. */
    static String newId() {
        return "ckpt_" + UUID.randomUUID().toString().replace("-", "");
    }
}
