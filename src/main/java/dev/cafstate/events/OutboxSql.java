package dev.cafstate.events;

/** SQL fragment that writes a change's events into the outbox inside the change's own statement. */
public final class OutboxSql {

    private OutboxSql() {
    }

    /**
     * A CTE named {@code o} inserting the events of JSON array parameter {@code $param} (built by
     * {@link CloudEvents#batch}) for tenant {@code $1} and execution {@code $2}, created at {@code $3}, only when
     * CTE {@code e} (the execution's version bump) produced its row.
     */
    public static String insertCte(int param) {
        return """
                o AS (
                  INSERT INTO outbox_events (event_id, tenant, execution_id, type, payload, created_at)
                  SELECT (ev.value ->> 'id')::uuid, $1, $2, ev.value ->> 'type', ev.value, $3
                  FROM e, json_array_elements($%d::text::json) WITH ORDINALITY AS ev(value, ord)
                  ORDER BY ev.ord
                  RETURNING 1)
                """.formatted(param);
    }

    /** A plain insert of the events in JSON array {@code $3} for tenant {@code $1}, execution {@code $2} at $4. */
    public static final String INSERT = """
            INSERT INTO outbox_events (event_id, tenant, execution_id, type, payload, created_at)
            SELECT (ev.value ->> 'id')::uuid, $1, $2, ev.value ->> 'type', ev.value, $4
            FROM json_array_elements($3::text::json) WITH ORDINALITY AS ev(value, ord)
            ORDER BY ev.ord
            """;
}
