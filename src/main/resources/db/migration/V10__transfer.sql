-- Transfer between clusters: export and import jobs through shared locations, and live handoffs.

-- Who may write an execution. epoch is raised at every handoff and travels with its export; owner_cluster is the
-- cluster that owns an execution this cluster only keeps as history (NULL: this cluster owns it); handoff_id is set
-- while a handoff of it is under way. A runtime change, status change, checkpoint, push or restore needs both NULL.
ALTER TABLE executions
    ADD COLUMN epoch         bigint NOT NULL DEFAULT 1,
    ADD COLUMN owner_cluster text,
    ADD COLUMN handoff_id    uuid;

-- The cluster a checkpoint was imported from (NULL: made here); automatic export leaves imported ones alone.
ALTER TABLE checkpoints ADD COLUMN origin_cluster text;

-- A job copies checkpoints to a location (export) or from one (import), item by item, resumable: a replica holds
-- a job while its lease lasts, and whoever takes it next goes on with the items still pending.
CREATE TABLE transfer_jobs (
    id             uuid    NOT NULL,
    tenant         text    NOT NULL,
    kind           text    NOT NULL,
    location       text    NOT NULL,
    -- api, sync, notification, handoff, auto
    source         text    NOT NULL,
    status         text    NOT NULL,
    request        json    NOT NULL,
    dry_run        boolean NOT NULL DEFAULT false,
    resume         boolean NOT NULL DEFAULT false,
    handoff_id     uuid,
    total          bigint  NOT NULL DEFAULT 0,
    done           bigint  NOT NULL DEFAULT 0,
    imported       bigint  NOT NULL DEFAULT 0,
    skipped        bigint  NOT NULL DEFAULT 0,
    conflicts      bigint  NOT NULL DEFAULT 0,
    failed         bigint  NOT NULL DEFAULT 0,
    -- listing of a prefix import: the continuation token of the next page, and whether the listing is complete
    listing_token  text,
    listing_done   boolean NOT NULL DEFAULT false,
    result         json,
    error          text,
    created_at     bigint  NOT NULL,
    updated_at     bigint  NOT NULL,
    finished_at    bigint,
    lease_owner    text,
    lease_until    bigint,
    CONSTRAINT transfer_jobs_pk PRIMARY KEY (id),
    CONSTRAINT transfer_jobs_kind_ck CHECK (kind IN ('export', 'import')),
    CONSTRAINT transfer_jobs_status_ck CHECK (status IN ('queued', 'running', 'succeeded', 'failed'))
);
CREATE INDEX transfer_jobs_open ON transfer_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX transfer_jobs_by_tenant ON transfer_jobs (tenant, created_at DESC);
-- the one open job that bucket notifications of a location and tenant add their keys to
CREATE UNIQUE INDEX transfer_jobs_notification_inbox ON transfer_jobs (location, tenant)
    WHERE source = 'notification' AND status = 'queued';

-- The items of a job: one object key each (a checkpoint object, or a manifest that names more). listed: seen in a
-- prefix listing but named by no manifest (yet); meta: what an export's manifest says of the checkpoint.
CREATE TABLE transfer_items (
    job_id         uuid   NOT NULL,
    seq            bigserial,
    key            text   NOT NULL,
    checkpoint_id  text,
    sha256         text,
    size_bytes     bigint,
    status         text   NOT NULL,
    reason         text,
    meta           json,
    CONSTRAINT transfer_items_pk PRIMARY KEY (job_id, seq),
    CONSTRAINT transfer_items_key_uq UNIQUE (job_id, key),
    CONSTRAINT transfer_items_status_ck CHECK (status IN ('listed', 'pending', 'manifest', 'imported', 'exported',
        'skipped', 'conflict', 'failed'))
);
CREATE INDEX transfer_items_pending ON transfer_items (job_id, seq) WHERE status = 'pending';

-- New checkpoints waiting for their automatic export, queued by the statement that writes their rows (so none is
-- missed whatever order writes commit in); the transfer worker turns them into export jobs.
CREATE TABLE transfer_queue (
    location       text   NOT NULL,
    tenant         text   NOT NULL,
    checkpoint_id  text   NOT NULL,
    created_at     bigint NOT NULL,
    CONSTRAINT transfer_queue_pk PRIMARY KEY (location, tenant, checkpoint_id)
);

-- Handoffs of executions this cluster owned: a persisted state machine that survives restarts.
CREATE TABLE handoffs (
    id                  uuid   NOT NULL,
    tenant              text   NOT NULL,
    execution_id        text   NOT NULL,
    location            text   NOT NULL,
    target_cluster      text   NOT NULL,
    -- the epoch the target takes the execution at
    epoch               bigint NOT NULL,
    -- requested, exporting, awaiting_ack, completed, aborted, failed
    state               text   NOT NULL,
    previous_status     text   NOT NULL,
    final_checkpoint_id text,
    export_job_id       uuid,
    manifest_key        text,
    expires_at          bigint,
    error               text,
    created_at          bigint NOT NULL,
    updated_at          bigint NOT NULL,
    CONSTRAINT handoffs_pk PRIMARY KEY (id),
    CONSTRAINT handoffs_state_ck CHECK (state IN ('requested', 'exporting', 'awaiting_ack', 'completed', 'aborted',
        'failed'))
);
CREATE INDEX handoffs_by_execution ON handoffs (tenant, execution_id, created_at DESC);
CREATE UNIQUE INDEX handoffs_one_open ON handoffs (tenant, execution_id)
    WHERE state IN ('requested', 'exporting', 'awaiting_ack', 'failed');

-- What each location's sync has seen: manifests already turned into import jobs, and the last round.
CREATE TABLE location_manifests (
    location   text   NOT NULL,
    key        text   NOT NULL,
    job_id     uuid,
    seen_at    bigint NOT NULL,
    CONSTRAINT location_manifests_pk PRIMARY KEY (location, key)
);

CREATE TABLE location_status (
    location          text   NOT NULL,
    last_sync_at      bigint,
    last_sync_error   text,
    manifests_seen    bigint NOT NULL DEFAULT 0,
    jobs_created      bigint NOT NULL DEFAULT 0,
    CONSTRAINT location_status_pk PRIMARY KEY (location)
);
