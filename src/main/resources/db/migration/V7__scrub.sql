-- The scrub (issue 10, item 2): every checkpoint object is read back and its SHA-256 checked against its row, a pass
-- at a time, resumably (the cursor is kept here), by one replica at a time per scope (a lease).
-- scope '*' is the scheduled pass over every tenant; a tenant's own scope is a pass its operator asked for.
CREATE TABLE scrub_passes (
    scope          text    NOT NULL,
    cursor_tenant  text,
    cursor_id      text,
    started_at     bigint  NOT NULL,
    finished_at    bigint,
    checked        bigint  NOT NULL DEFAULT 0,
    corrupt        bigint  NOT NULL DEFAULT 0,
    missing        bigint  NOT NULL DEFAULT 0,
    repaired       bigint  NOT NULL DEFAULT 0,
    lease_owner    text,
    lease_until    bigint,
    CONSTRAINT scrub_passes_pk PRIMARY KEY (scope)
);

-- What a scrub found wrong with a checkpoint, until it is repaired (kept afterwards, with repaired_at, for the record).
CREATE TABLE scrub_problems (
    tenant         text    NOT NULL,
    checkpoint_id  text    NOT NULL,
    object_key     text    NOT NULL,
    problem        text    NOT NULL,
    detail         text    NOT NULL,
    detected_at    bigint  NOT NULL,
    repaired_at    bigint,
    CONSTRAINT scrub_problems_pk PRIMARY KEY (tenant, checkpoint_id),
    CONSTRAINT scrub_problems_ck CHECK (problem IN ('missing', 'corrupt', 'inline-corrupt'))
);
CREATE INDEX scrub_problems_open ON scrub_problems (tenant, detected_at) WHERE repaired_at IS NULL;
