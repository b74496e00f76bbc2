package dev.cafstate.runtime.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.Alternative;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.db.Columns;
import dev.cafstate.common.db.Params;
import dev.cafstate.common.db.Statement;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.paging.Sequenced;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.events.OutboxRepository;
import dev.cafstate.runtime.api.ThoughtPatch;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The thought chain in PostgreSQL ({@code runtime_thoughts}): one row per step, ordered by {@code seq}. */
@ApplicationScoped
public class ThoughtRepository {

    /** The columns {@link #step} reads, by name (the checkpoint catalog's rows select the same names). */
    public static final String STEP_COLUMNS = """
            id, type, content, reasoning, confidence, alternatives::text AS alternatives, parent_id,
            children::text AS children, metadata::text AS metadata, ts""";

    /** Column values of a step taken from JSON element {@code s.value} (the CAF ThoughtStep shape). */
    private static final String STEP_VALUES = """
            s.value ->> 'id', s.value ->> 'type', s.value ->> 'content', s.value ->> 'reasoning',
              (s.value ->> 'confidence')::float8, s.value -> 'alternatives', s.value ->> 'parent_id',
              COALESCE((s.value -> 'children')::jsonb, '[]'::jsonb), s.value -> 'metadata',
              (s.value ->> 'timestamp')::numeric::bigint""";

    private static final String INSERT_COLUMNS = """
            tenant, execution_id, seq, id, type, content, reasoning, confidence, alternatives, parent_id,
              children, metadata, ts""";

    /** The whole chain, in order (read inside the snapshot's transaction). */
    static final Statement ALL = Statement.of("SELECT " + STEP_COLUMNS
            + " FROM runtime_thoughts WHERE tenant = :tenant AND execution_id = :execution ORDER BY seq");

    /** Inserts whole chain {@code :steps} (a JSON array of CAF steps, in order) of a new or emptied execution. */
    static final String INSERT_ALL = """
            INSERT INTO runtime_thoughts (%s)
              SELECT :tenant, :execution, s.ord, %s
              FROM json_array_elements(:steps::text::json) WITH ORDINALITY AS s(value, ord)
            """.formatted(INSERT_COLUMNS, STEP_VALUES);

    /** Inserts steps {@code :steps} (a JSON array) at positions {@code :seqs} (one per step, in the same order). */
    static final String INSERT_AT = """
            INSERT INTO runtime_thoughts (%s)
              SELECT :tenant, :execution, q.seq, %s
              FROM json_array_elements(:steps::text::json) WITH ORDINALITY AS s(value, ord)
              JOIN unnest(:step_seqs::bigint[]) WITH ORDINALITY AS q(seq, ord) ON q.ord = s.ord
            """.formatted(INSERT_COLUMNS, STEP_VALUES);

    /** Deletes the steps at positions {@code :gone_steps}. */
    static final String DELETE_AT = """
            DELETE FROM runtime_thoughts WHERE tenant = :tenant AND execution_id = :execution
              AND seq = ANY(:gone_steps::bigint[])""";

    /**
     * The append: one statement bumps the version and step counter, adds the new ids to the {@code children} of
     * existing parents ({@code :parents}: {@code [{"id", "kids"}]}), inserts the steps and their events, and fails as
     * a whole on an unknown parent or a duplicate id. Cost does not depend on the chain's length.
     */
    static final Statement APPEND = Statement.of("""
            WITH %s,
            p AS (
              UPDATE runtime_thoughts t SET children = t.children || (x.value -> 'kids')
              FROM e, jsonb_array_elements(:parents::text::jsonb) AS x(value)
              WHERE t.tenant = :tenant AND t.execution_id = :execution AND t.id = x.value ->> 'id'
              RETURNING 1),
            i AS (
              INSERT INTO runtime_thoughts (%s)
              SELECT :tenant, :execution, e.step_count - :count + s.ord, %s
              FROM e, json_array_elements(:steps::text::json) WITH ORDINALITY AS s(value, ord)
              ON CONFLICT DO NOTHING
              RETURNING 1),
            %s
            SELECT e.version,
              CASE WHEN (SELECT count(*) FROM p) <> :parent_count THEN caf_fail('unknown_parent')
                   WHEN (SELECT count(*) FROM i) <> :count THEN caf_fail('duplicate_step')
                   ELSE 0 END AS ok
            FROM e""".formatted(
                    ExecutionRepository.bumpCte("step_count = step_count + :count, current_step_id = :current_step_id"),
                    INSERT_COLUMNS,
                    STEP_VALUES,
                    OutboxRepository.insertCte("e")));

    /** Merge-patches one step (the change's version bump already happened). */
    static final Statement PATCH = Statement.of("""
            UPDATE runtime_thoughts SET
              content = CASE WHEN :set_content THEN :content ELSE content END,
              reasoning = CASE WHEN :set_reasoning THEN :reasoning ELSE reasoning END,
              confidence = COALESCE(:confidence, confidence),
              alternatives = CASE WHEN :set_alternatives THEN :alternatives::text::json ELSE alternatives END,
              metadata = CASE WHEN :set_metadata THEN json_merge_patch(metadata, :metadata::text::json)
                ELSE metadata END
            WHERE tenant = :tenant AND execution_id = :execution AND id = :step
            RETURNING seq, %s""".formatted(STEP_COLUMNS));

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
    public Uni<Long> append(
            Tenant tenant,
            String executionId,
            IfMatch expected,
            long now,
            List<ThoughtStep> steps,
            Map<String, List<String>> outsideParents,
            String events) {
        ArrayNode parents = json.mapper().createArrayNode();
        outsideParents.forEach((id, kids) -> {
            ObjectNode p = parents.addObject();
            p.put("id", id);
            kids.forEach(p.putArray("kids")::add);
        });
        Mutations.Change change = new Mutations.Change(tenant, executionId, expected, now, events);
        Params params = change.params()
                .put("count", (long) steps.size())
                .put("current_step_id", steps.get(steps.size() - 1).id())
                .put("parents", parents.toString())
                .put("steps", json.write(steps))
                .put("parent_count", (long) outsideParents.size());
        return mutations.single(
                APPEND,
                change,
                params,
                Map.of(
                        "unknown_parent",
                                () -> InvalidInput.field(
                                        "parent_id",
                                        "names a step that is not in the chain: "
                                                + String.join(", ", outsideParents.keySet())),
                        "duplicate_step", () -> new StateConflict("a step with one of these ids already exists")));
    }

    /** Applies a merge patch to one step inside an open change; returns the step as it is now. */
    public Uni<ThoughtStep> patch(
            SqlConnection conn, Tenant tenant, String executionId, String stepId, ThoughtPatch patch) {
        return PATCH.run(
                        conn,
                        Params.of()
                                .put("tenant", tenant.id())
                                .put("execution", executionId)
                                .put("step", stepId)
                                .put("set_content", patch.setContent())
                                .put("content", patch.content())
                                .put("set_reasoning", patch.setReasoning())
                                .put("reasoning", patch.reasoning())
                                .put("confidence", patch.confidence())
                                .put("set_alternatives", patch.setAlternatives())
                                .put("alternatives", json.write(patch.alternatives()))
                                .put("set_metadata", patch.setMetadata())
                                .put("metadata", json.write(patch.metadata())))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ResourceNotFound(
                                "step '" + stepId + "' does not exist in execution '" + executionId + "'");
                    }
                    return step(Columns.of(rows.iterator().next()), json);
                });
    }

    /** Steps in chain order after sequence {@code afterSeq}, filtered, at most {@code limit}. */
    public Uni<List<Sequenced<ThoughtStep>>> list(
            Tenant tenant,
            String executionId,
            ThoughtType type,
            Double minConfidence,
            Double maxConfidence,
            long afterSeq,
            int limit) {
        return pool.preparedQuery("SELECT seq, " + STEP_COLUMNS + """
                 FROM runtime_thoughts
                WHERE tenant = $1 AND execution_id = $2 AND seq > $3
                  AND ($4::text IS NULL OR type = $4)
                  AND ($5::float8 IS NULL OR confidence >= $5)
                  AND ($6::float8 IS NULL OR confidence <= $6)
                ORDER BY seq LIMIT $7""")
                .execute(Tuple.from(new Object[] {
                    tenant.id(),
                    executionId,
                    afterSeq,
                    type == null ? null : type.wire(),
                    minConfidence,
                    maxConfidence,
                    limit
                }))
                .map(rows -> {
                    List<Sequenced<ThoughtStep>> steps = new ArrayList<>(rows.size());
                    rows.forEach(r -> steps.add(new Sequenced<>(r.getLong("seq"), step(Columns.of(r), json))));
                    return steps;
                });
    }

    /** Every step of the execution in order, through {@code client} (the snapshot's transaction). */
    Uni<List<ThoughtStep>> all(SqlClient client, Tenant tenant, String executionId) {
        return ALL.run(client, Params.of().put("tenant", tenant.id()).put("execution", executionId))
                .map(rows -> {
                    List<ThoughtStep> steps = new ArrayList<>(rows.size());
                    Columns.each(rows).forEach(c -> steps.add(step(c, json)));
                    return steps;
                });
    }

    /** A step from the columns of {@link #STEP_COLUMNS}: the runtime's rows and the checkpoint catalog's alike. */
    public static ThoughtStep step(Columns c, Json json) {
        List<String> children = new ArrayList<>();
        json.read(c.text("children")).forEach(child -> children.add(child.asText()));
        String alternatives = c.text("alternatives");
        return new ThoughtStep(
                c.text("id"),
                ThoughtType.of(c.text("type")),
                c.text("content"),
                c.text("reasoning"),
                c.float8("confidence"),
                alternatives == null ? null : List.of(json.read(alternatives, Alternative[].class)),
                c.text("parent_id"),
                children,
                json.readObject(c.text("metadata")),
                c.int64("ts"));
    }
}
