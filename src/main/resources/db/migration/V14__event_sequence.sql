-- Each execution's events are numbered 1, 2, 3, ... with no gap (issue 15, item 5): the CloudEvents `sequence`
-- extension in every published event and the SSE id, so that a consumer of the broker or of a stream can order and
-- de-duplicate them. The number comes from a counter per execution, taken in the transaction (or statement) that
-- records the events: its row lock makes one execution's events commit in number order, so a number is never
-- skipped by a reader that saw a later one. The counter outlives the execution (a re-created execution goes on
-- counting) until neither the execution nor any of its events is left.
CREATE TABLE event_sequences (
    tenant        text   NOT NULL,
    execution_id  text   NOT NULL,
    last          bigint NOT NULL,
    PRIMARY KEY (tenant, execution_id)
);

ALTER TABLE outbox_events ADD COLUMN sequence bigint;

-- The events kept so far are numbered in their global order, and their CloudEvents JSON gets the member (the outbox
-- is rewritten once: at most caf.events.retention of events).
WITH n AS (
    SELECT seq, created_at, row_number() OVER (PARTITION BY tenant, execution_id ORDER BY seq) AS sequence
    FROM outbox_events)
UPDATE outbox_events o
SET sequence = n.sequence,
    payload = (left(rtrim(o.payload::text), -1) || ',"sequence":"' || lpad(n.sequence::text, 19, '0') || '"}')::json
FROM n
WHERE o.seq = n.seq AND o.created_at = n.created_at;

INSERT INTO event_sequences (tenant, execution_id, last)
SELECT tenant, execution_id, max(sequence) FROM outbox_events GROUP BY tenant, execution_id;

ALTER TABLE outbox_events ALTER COLUMN sequence SET NOT NULL;

-- The SSE stream reads an execution's events by their number.
DROP INDEX outbox_events_by_execution;
CREATE INDEX outbox_events_by_execution ON outbox_events (tenant, execution_id, sequence);
