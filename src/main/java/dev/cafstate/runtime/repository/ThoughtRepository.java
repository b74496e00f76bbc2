package dev.cafstate.runtime.repository;

import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.json.Json;

import dev.cafstate.common.paging.Sequenced;

import dev.cafstate.common.http.IfMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.events.OutboxRepository;
import dev.cafstate.runtime.api.ThoughtPatch;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StateConflict;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The thought chain in PostgreSQL: one row per step, ordered by {@code seq}. */
@ApplicationScoped
public class ThoughtRepository {

    /** Column values of a step taken from JSON element {@code s.value} (the CAF ThoughtStep shape). */
    static final String STEP_COLUMNS = """
            s.value ->> 'id', s.value ->> 'type', s.value ->> 'content', s.value ->> 'reasoning',
            (s.value ->> 'confidence')::float8, (s.value -> 'alternatives')::jsonb, s.value ->> 'parent_id',
            COALESCE((s.value -> 'children')::jsonb, '[]'::jsonb), s.value -> 'metadata',
            (s.value ->> 'timestamp')::bigint""";

    static final String SELECT = """
            SELECT id, type, content, reasoning, confidence, alternatives::text, parent_id, children::text,
              metadata::text, ts, seq FROM runtime_thoughts""";

    /**
     * The append: one statement bumps the version and step counter, adds the new ids to the {@code children} of
     * existing parents, inserts the steps and their events, and fails as a whole on an unknown parent or a
     * duplicate id. Cost does not depend on the chain's length.
     */
    private static final String APPEND = "WITH " + Mutations.bumpCte("step_count = step_count + $6, current_step_id = $7")
            + """
                    , p AS (
                      UPDATE runtime_thoughts t SET children = t.children || (x.value -> 'kids')
                      FROM e, jsonb_array_elements($8::text::jsonb) AS x(value)
                      WHERE t.tenant = $1 AND t.execution_id = $2 AND t.id = x.value ->> 'id'
                      RETURNING 1)
                    , i AS (
                      INSERT INTO runtime_thoughts (tenant, execution_id, seq, id, type, content, reasoning,
                        confidence, alternatives, parent_id, children, metadata, ts)
                      SELECT $1, $2, e.step_count - $6 + s.ord, %s
                      FROM e, json_array_elements($9::text::json) WITH ORDINALITY AS s(value, ord)
                      ON CONFLICT DO NOTHING
                      RETURNING 1)
                    , %s
                    SELECT e.version,
                      CASE WHEN (SELECT count(*) FROM p) <> $10 THEN caf_fail('unknown_parent')
                           WHEN (SELECT count(*) FROM i) <> $6 THEN caf_fail('duplicate_step')
                           ELSE 0 END AS ok
                    FROM e""".formatted(STEP_COLUMNS, OutboxRepository.insertCte(5));

    private final Pool pool;
    private final Mutations mutations;
    private final Json json;

    public ThoughtRepository(Pool pool, Mutations mutations, Json json) {
        this.pool = pool;
        this.mutations = mutations;
        this.json = json;
    }

    /**
     * Appends steps (ids, timestamps and in-batch children already set) and their events.
     *
     * @param outsideParents new child ids per parent id that is already in the chain
     * @return the new version
     */
    public Uni<Long> append(Tenant tenant, String executionId, IfMatch expected, long now, List<ThoughtStep> steps,
            Map<String, List<String>> outsideParents, String events) {
        ArrayNode parents = json.mapper().createArrayNode();
        outsideParents.forEach((id, kids) -> {
            ObjectNode p = parents.addObject();
            p.put("id", id);
            kids.forEach(p.putArray("kids")::add);
        });
        Tuple params = Tuple.from(new Object[] { tenant.id(), executionId, now, IfMatch.sql(expected), events, (long) steps.size(),
                steps.get(steps.size() - 1).id(), parents.toString(), json.write(steps), (long) outsideParents.size() });
        return mutations.single(APPEND, params, Map.of(
                "unknown_parent", () -> InvalidInput.field("parent_id",
                        "names a step that is not in the chain: " + String.join(", ", outsideParents.keySet())),
                "duplicate_step", () -> new StateConflict("a step with one of these ids already exists")));
    }

    /** Applies a merge patch to one step inside an open change; returns the step as it is now. */
    public Uni<ThoughtStep> patch(SqlConnection conn, Tenant tenant, String executionId, String stepId,
            ThoughtPatch patch) {
        return conn.preparedQuery("""
                UPDATE runtime_thoughts SET
                  content = CASE WHEN $4 THEN $5 ELSE content END,
                  reasoning = CASE WHEN $6 THEN $7 ELSE reasoning END,
                  confidence = COALESCE($8, confidence),
                  alternatives = CASE WHEN $9 THEN $10::text::jsonb ELSE alternatives END,
                  metadata = CASE WHEN $11 THEN json_merge_patch(metadata, $12::text::json) ELSE metadata END
                WHERE tenant = $1 AND execution_id = $2 AND id = $3
                RETURNING id, type, content, reasoning, confidence, alternatives::text, parent_id, children::text,
                  metadata::text, ts, seq""")
                .execute(Tuple.from(new Object[] { tenant.id(), executionId, stepId,
                        patch.setContent(), patch.content(), patch.setReasoning(), patch.reasoning(),
                        patch.confidence(), patch.setAlternatives(), json.write(patch.alternatives()),
                        patch.setMetadata(), json.write(patch.metadata()) }))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound("step '" + stepId + "' does not exist in execution '"
                                + executionId + "'");
                    }
                    return map(rows.iterator().next());
                });
    }

    /** Steps in chain order after sequence {@code afterSeq}, filtered, at most {@code limit}. */
    public Uni<List<Sequenced<ThoughtStep>>> list(Tenant tenant, String executionId, ThoughtType type,
            Double minConfidence, Double maxConfidence, long afterSeq, int limit) {
        return pool.preparedQuery(SELECT + """
                 WHERE tenant = $1 AND execution_id = $2 AND seq > $3
                  AND ($4::text IS NULL OR type = $4)
                  AND ($5::float8 IS NULL OR confidence >= $5)
                  AND ($6::float8 IS NULL OR confidence <= $6)
                ORDER BY seq LIMIT $7""")
                .execute(Tuple.from(new Object[] { tenant.id(), executionId, afterSeq, type == null ? null : type.wire(),
                        minConfidence, maxConfidence, limit }))
                .map(rows -> {
                    List<Sequenced<ThoughtStep>> steps = new ArrayList<>(rows.size());
                    rows.forEach(r -> steps.add(new Sequenced<>(r.getLong("seq"), map(r))));
                    return steps;
                });
    }

    /** Every step of the execution in order, inside the caller's (snapshot) transaction. */
    Uni<List<ThoughtStep>> all(SqlConnection conn, Tenant tenant, String executionId) {
        return conn.preparedQuery(SELECT + " WHERE tenant = $1 AND execution_id = $2 ORDER BY seq")
                .execute(Tuple.of(tenant.id(), executionId))
                .map(rows -> {
                    List<ThoughtStep> steps = new ArrayList<>(rows.size());
                    rows.forEach(r -> steps.add(map(r)));
                    return steps;
                });
    }

    ThoughtStep map(Row r) {
        return map(r, json);
    }

    /**
     * A step from a row whose first ten columns are id, type, content, reasoning, confidence, alternatives (text),
     * parent id, children (text), metadata (text), timestamp: the runtime's rows and the checkpoint catalog's alike.
     */
    public static ThoughtStep map(Row r, Json json) {
        List<String> children = new ArrayList<>();
        json.read(r.getString(7)).forEach(c -> children.add(c.asText()));
        return new ThoughtStep(r.getString(0), ThoughtType.of(r.getString(1)), r.getString(2), r.getString(3),
                r.getDouble(4), r.getString(5) == null ? null
                        : List.of(json.read(r.getString(5), dev.cafstate.caf.Alternative[].class)),
                r.getString(6), children, json.readObject(r.getString(8)), r.getLong(9));
    }

}
