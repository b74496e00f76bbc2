-- Each execution's events are numbered 1, 2, 3, ... with no gap (issue 15, item 5): the CloudEvents `sequence`
-- extension in every published event and the SSE id, so that a consumer of the broker or of a stream can order and
-- de-duplicate them. The number comes from a counter per execution, raised in the transaction (or statement) that
-- records the events: its row lock makes one execution's events commit in number order, so a reader never sees
-- N+1 before N. The counter outlives the execution (a re-created execution goes on counting) until neither the
-- execution nor any of its events is left.
CREATE TABLE event_sequences (
    tenant        text   NOT NULL,
    execution_id  text   NOT NULL,
    last          bigint NOT NULL,
    PRIMARY KEY (tenant, execution_id)
);

-- An event's CloudEvents JSON (an object) with its number added as the `sequence` member: 19 digits, zero-padded, so
-- that string order is number order as the extension asks. The outbox insert of the service uses it too.
CREATE FUNCTION caf_event_with_sequence(event json, n bigint) RETURNS json
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN btrim(event::text, E' \t\r\n') ~ '^\{\s*\}$' THEN '{'
                 ELSE left(btrim(event::text, E' \t\r\n'), -1) || ',' END
            || '"sequence":"' || lpad(n::text, 19, '0') || '"}')::json
$$;
-- (one expression and no FROM, so that PostgreSQL inlines it into the statement that calls it)

-- Nullable, and numbered by a trigger when left out: pods of the previous release insert events without it while a
-- rolling upgrade (or a rollback) runs. The service itself always numbers them in the insert.
ALTER TABLE outbox_events ADD COLUMN sequence bigint;

CREATE FUNCTION caf_number_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_sequences AS es (tenant, execution_id, last) VALUES (NEW.tenant, NEW.execution_id, 1)
    ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + 1
    RETURNING es.last INTO NEW.sequence;
    NEW.payload := caf_event_with_sequence(NEW.payload, NEW.sequence);
    RETURN NEW;
END
$$;

-- Created before the retained events are numbered: it locks out inserts until this migration commits, so no event
-- arrives between the count below and the first number the counters hand out.
CREATE TRIGGER outbox_events_numbered BEFORE INSERT ON outbox_events
    FOR EACH ROW WHEN (NEW.sequence IS NULL) EXECUTE FUNCTION caf_number_event();

-- The SSE stream reads an execution's events by their number: its index is made again once they have one (and is
-- not kept up while they are numbered).
DROP INDEX outbox_events_by_execution;

-- The retained events are numbered in their global order (the outbox is rewritten once: at most
-- caf.events.retention of events; writes wait meanwhile: about 20 s per million retained events measured here).
WITH n AS (
    SELECT seq, created_at, row_number() OVER (PARTITION BY tenant, execution_id ORDER BY seq) AS sequence
    FROM outbox_events)
UPDATE outbox_events o
SET sequence = n.sequence, payload = caf_event_with_sequence(o.payload, n.sequence)
FROM n
WHERE o.seq = n.seq AND o.created_at = n.created_at;

INSERT INTO event_sequences (tenant, execution_id, last)
SELECT tenant, execution_id, max(sequence) FROM outbox_events GROUP BY tenant, execution_id;

CREATE INDEX outbox_events_by_execution ON outbox_events (tenant, execution_id, sequence);
