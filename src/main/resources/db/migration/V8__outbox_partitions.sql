-- A time-partitioned outbox (issue 10, item 14). At 3,000 events/s the 24 h of retention are about 260 million rows;
-- deleting them row by row bloats the table and its indexes and slows the appends as it grows. Range partitions by
-- created_at are attached ahead of the clock and dropped whole once every event in them is published and older
-- than caf.events.retention (OutboxPartitions). There is no DEFAULT partition: it would forbid DETACH ... CONCURRENTLY,
-- and a plain detach or drop needs an exclusive lock on the outbox that the appends then queue behind.
-- seq stays the global order (one sequence for every partition); event_id needs no unique index (random UUIDs).
ALTER TABLE outbox_events RENAME TO outbox_events_v7;
ALTER INDEX outbox_events_unpublished RENAME TO outbox_events_v7_unpublished;
ALTER INDEX outbox_events_by_execution RENAME TO outbox_events_v7_by_execution;
ALTER INDEX outbox_events_by_age RENAME TO outbox_events_v7_by_age;

CREATE TABLE outbox_events (
    seq           bigint NOT NULL,
    event_id      uuid   NOT NULL,
    tenant        text   NOT NULL,
    execution_id  text   NOT NULL,
    type          text   NOT NULL,
    payload       json   NOT NULL,
    created_at    bigint NOT NULL,
    published_at  bigint
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE outbox_events_seq_seq OWNED BY outbox_events.seq;
ALTER TABLE outbox_events ALTER COLUMN seq SET DEFAULT nextval('outbox_events_seq_seq');
ALTER SEQUENCE outbox_events_seq_seq RENAME TO outbox_events_seq;

CREATE INDEX outbox_events_by_seq ON outbox_events (seq);
CREATE INDEX outbox_events_unpublished ON outbox_events (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_events_by_execution ON outbox_events (tenant, execution_id, seq);

-- The events kept so far go into one partition from 0 to just past the newest of them (named like every partition,
-- so it is dropped the same way once past retention); the service attaches the following ones as it starts.
DO $$
DECLARE
    upto bigint := (SELECT coalesce(max(created_at), 0) + 1 FROM outbox_events_v7);
BEGIN
    EXECUTE format('CREATE TABLE outbox_events_p0_%s PARTITION OF outbox_events FOR VALUES FROM (0) TO (%s)',
                   upto, upto);
END
$$;
INSERT INTO outbox_events SELECT seq, event_id, tenant, execution_id, type, payload, created_at, published_at
    FROM outbox_events_v7;
DROP TABLE outbox_events_v7;
