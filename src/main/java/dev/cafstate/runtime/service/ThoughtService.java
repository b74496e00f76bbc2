package dev.cafstate.runtime.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.Alternative;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.json.BodyReader;
import dev.cafstate.events.CloudEvents;
import dev.cafstate.events.EventTypes;
import dev.cafstate.events.Outbox;
import dev.cafstate.runtime.api.Page;
import dev.cafstate.runtime.api.Versioned;
import dev.cafstate.runtime.repository.Mutations;
import dev.cafstate.runtime.repository.ThoughtRepository;
import dev.cafstate.runtime.repository.ThoughtRepository.ThoughtPatch;
import io.smallrye.mutiny.Uni;

/** Use cases of the thought chain: append (one or a batch), list, merge-patch one step. */
@ApplicationScoped
public class ThoughtService {

    private static final Set<String> PATCHABLE = Set.of("content", "reasoning", "confidence", "alternatives",
            "metadata");

    private final ThoughtRepository thoughts;
    private final Mutations mutations;
    private final BodyReader bodies;
    private final CloudEvents events;
    private final Outbox outbox;
    private final CafConfig config;
    private final Clock clock;

    public ThoughtService(ThoughtRepository thoughts, Mutations mutations, BodyReader bodies, CloudEvents events,
            Outbox outbox, CafConfig config, Clock clock) {
        this.thoughts = thoughts;
        this.mutations = mutations;
        this.bodies = bodies;
        this.events = events;
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Appends one step or a batch ({@code {steps: [...]}}): ids and timestamps default server-side, each parent's
     * {@code children} and the chain's {@code current_step_id} are maintained, one {@code thought.created} per step.
     * The cost is one statement whatever the chain's length.
     *
     * @return the stored steps and the new version
     */
    public Uni<Versioned<List<ThoughtStep>>> append(String tenant, String executionId, Long expected, JsonNode body) {
        List<ThoughtStep> input = bodies.oneOrBatch(body, "steps", ThoughtStep.class,
                config.limits().maxBatchItems());
        boolean batch = body.has("steps");
        long now = clock.now();
        List<String> ids = new ArrayList<>(input.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < input.size(); i++) {
            ThoughtStep s = input.get(i);
            String field = batch ? "steps[" + i + "]" : "";
            String id = s.id() == null ? newStepId(now) : Ids.body(prefixed(field, "id"), s.id());
            if (!seen.add(id)) {
                throw InvalidInput.field(prefixed(field, "id"), "appears twice in this batch");
            }
            if (id.equals(s.parentId())) {
                throw InvalidInput.field(prefixed(field, "parent_id"), "a step cannot be its own parent");
            }
            ids.add(id);
        }
        Map<String, List<String>> inBatch = new HashMap<>();
        Map<String, List<String>> outside = new LinkedHashMap<>();
        for (int i = 0; i < input.size(); i++) {
            String parent = input.get(i).parentId();
            if (parent != null) {
                (seen.contains(parent) ? inBatch : outside).computeIfAbsent(parent, k -> new ArrayList<>())
                        .add(ids.get(i));
            }
        }
        List<ThoughtStep> steps = new ArrayList<>(input.size());
        List<ObjectNode> created = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            ThoughtStep step = input.get(i).withDefaults(ids.get(i), now, inBatch.getOrDefault(ids.get(i), List.of()));
            steps.add(step);
            created.add(events.event(tenant, executionId, EventTypes.THOUGHT_CREATED, now, "thought", step));
        }
        return thoughts.append(tenant, executionId, expected, now, steps, outside, events.batch(created))
                .map(version -> new Versioned<>(steps, version));
    }

    /** Steps in order with optional filters, a page at a time. */
    public Uni<Page<ThoughtStep>> list(String tenant, String executionId, ThoughtType type, Double min, Double max,
            String cursor, int limit) {
        long after = Cursors.number(cursor);
        return thoughts.list(tenant, executionId, type, min, max, after, limit + 1)
                .map(rows -> Cursors.bySeq(rows, limit));
    }

    /**
     * Merge-patches {@code content, reasoning, confidence, alternatives, metadata} of one step and emits
     * {@code thought.updated} with the step as it now is.
     */
    public Uni<Versioned<ThoughtStep>> patch(String tenant, String executionId, String stepId, Long expected,
            JsonNode body) {
        ThoughtPatch patch = decode(body);
        long now = clock.now();
        return mutations.inTransaction(tenant, executionId, expected, now, (conn, version) -> thoughts
                .patch(conn, tenant, executionId, stepId, patch)
                .flatMap(step -> outbox.emit(conn, tenant, executionId, events.batch(events.event(tenant, executionId,
                        EventTypes.THOUGHT_UPDATED, now, "thought", step)), now)
                        .replaceWith(new Versioned<>(step, version))));
    }

    private ThoughtPatch decode(JsonNode body) {
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw InvalidInput.field("body", "must be a non-empty JSON object");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!PATCHABLE.contains(name)) {
                throw InvalidInput.field(name, "cannot be changed; patchable: " + String.join(", ", PATCHABLE));
            }
        }
        JsonNode content = body.get("content");
        if (content != null && !content.isTextual()) {
            throw InvalidInput.field("content", "must be a string (it is required, so it cannot be removed)");
        }
        JsonNode reasoning = body.get("reasoning");
        if (reasoning != null && !reasoning.isTextual() && !reasoning.isNull()) {
            throw InvalidInput.field("reasoning", "must be a string, or null to remove it");
        }
        JsonNode confidence = body.get("confidence");
        if (confidence != null && (!confidence.isNumber() || confidence.asDouble() < 0 || confidence.asDouble() > 1)) {
            throw InvalidInput.field("confidence", "must be a number between 0 and 1");
        }
        JsonNode alternatives = body.get("alternatives");
        if (alternatives != null && !alternatives.isNull()) {
            if (!alternatives.isArray()) {
                throw InvalidInput.field("alternatives", "must be an array, or null to remove it");
            }
            for (int i = 0; i < alternatives.size(); i++) {
                bodies.read(alternatives.get(i), Alternative.class, "alternatives[" + i + "]");
            }
        }
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isObject() && !metadata.isNull()) {
            throw InvalidInput.field("metadata", "must be an object, or null to remove it");
        }
        return new ThoughtPatch(content != null, content == null ? null : content.asText(),
                reasoning != null, reasoning == null || reasoning.isNull() ? null : reasoning.asText(),
                confidence == null ? null : confidence.asDouble(),
                alternatives != null, alternatives == null || alternatives.isNull() ? null : alternatives,
                metadata != null, metadata);
    }

    /** A step id in the SDK's style: {@code step_<ms>_<7 random base-36 chars>}. */
    static String newStepId(long now) {
        StringBuilder sb = new StringBuilder("step_").append(now).append('_');
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 7; i++) {
            sb.append(Character.forDigit(random.nextInt(36), 36));
        }
        return sb.toString();
    }

    private static String prefixed(String prefix, String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }
}
