package dev.cafstate.runtime.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;
import dev.cafstate.common.paging.Cursors;
import dev.cafstate.common.paging.Page;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.api.ThoughtPatch;
import dev.cafstate.runtime.api.Versioned;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.runtime.repository.Mutations;
import dev.cafstate.runtime.repository.ThoughtRepository;
import io.smallrye.mutiny.Uni;

/** Use cases of the thought chain: append (one or a batch), list, merge-patch one step. */
@ApplicationScoped
public class ThoughtService {

    private final ThoughtRepository thoughts;
    private final Mutations mutations;
    private final JsonBodies bodies;
    private final EventRecorder events;
    private final CafConfig config;
    private final Clock clock;
    private final ExecutionRepository executions;

    public ThoughtService(
            ThoughtRepository thoughts,
            Mutations mutations,
            JsonBodies bodies,
            EventRecorder events,
            CafConfig config,
            Clock clock,
            ExecutionRepository executions) {
        this.executions = executions;
        this.thoughts = thoughts;
        this.mutations = mutations;
        this.bodies = bodies;
        this.events = events;
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
    public Uni<Versioned<List<ThoughtStep>>> append(
            Tenant tenant, String executionId, IfMatch expected, JsonNode body) {
        List<JsonBodies.Item> items =
                bodies.oneOrBatch(body, "steps", config.limits().maxBatchItems());
        JsonChecks c = bodies.checks();
        for (JsonBodies.Item item : items) {
            CafSchema.step(c, item.node(), item.path(), CafSchema.StepInput.APPEND);
        }
        c.throwIfAny();
        List<ThoughtStep> input =
                items.stream().map(i -> bodies.map(i.node(), ThoughtStep.class)).toList();
        long now = clock.now();
        List<String> ids = new ArrayList<>(input.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < input.size(); i++) {
            ThoughtStep s = input.get(i);
            String field = JsonChecks.at(items.get(i).path(), "id");
            String id = s.id() == null ? newStepId(now) : s.id();
            if (!seen.add(id)) {
                throw InvalidInput.field(field, "appears twice in this batch");
            }
            if (id.equals(s.parentId())) {
                throw InvalidInput.field(
                        JsonChecks.at(items.get(i).path(), "parent_id"), "a step cannot be its own parent");
            }
            ids.add(id);
        }
        Map<String, List<String>> inBatch = new HashMap<>();
        Map<String, List<String>> outside = new LinkedHashMap<>();
        for (int i = 0; i < input.size(); i++) {
            String parent = input.get(i).parentId();
            if (parent != null) {
                (seen.contains(parent) ? inBatch : outside)
                        .computeIfAbsent(parent, k -> new ArrayList<>())
                        .add(ids.get(i));
            }
        }
        List<ThoughtStep> steps = new ArrayList<>(input.size());
        List<CafEvent> created = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            ThoughtStep step = input.get(i).withDefaults(ids.get(i), now, inBatch.getOrDefault(ids.get(i), List.of()));
            steps.add(step);
            created.add(new CafEvent.ThoughtCreated(executionId, step));
        }
        return thoughts.append(tenant, executionId, expected, now, steps, outside, events.json(tenant, now, created))
                .map(version -> new Versioned<>(steps, version));
    }

    /** Steps in order with optional filters, a page at a time. */
    public Uni<Page<ThoughtStep>> list(
            Tenant tenant, String executionId, ThoughtType type, Double min, Double max, String cursor, int limit) {
        long after = Cursors.number(cursor);
        return thoughts.list(tenant, executionId, type, min, max, after, limit + 1)
                // an empty page may be of an execution that does not exist (or is another tenant's): that is a 404
                .call(rows -> rows.isEmpty()
                        ? executions.get(tenant, executionId)
                        : Uni.createFrom().voidItem())
                .map(rows -> Cursors.bySeq(rows, limit));
    }

    /**
     * Merge-patches {@code content, reasoning, confidence, alternatives, metadata} of one step and emits
     * {@code thought.updated} with the step as it now is.
     */
    public Uni<Versioned<ThoughtStep>> patch(
            Tenant tenant, String executionId, String stepId, IfMatch expected, JsonNode body) {
        ThoughtPatch patch = ThoughtPatch.from(body, bodies);
        long now = clock.now();
        return mutations.inTransaction(
                tenant,
                executionId,
                expected,
                now,
                (conn, version) -> thoughts.patch(conn, tenant, executionId, stepId, patch)
                        .flatMap(
                                step -> events.record(conn, tenant, now, new CafEvent.ThoughtUpdated(executionId, step))
                                        .replaceWith(new Versioned<>(step, version))));
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
}
