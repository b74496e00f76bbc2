-- Checkpoint catalog (layer 3): one row per checkpoint pointing at its immutable S3 object, plus normalized thoughts
-- and tool calls keyed by (checkpoint_id, id) for queries. Rows are written in one transaction after the object.

CREATE TABLE checkpoints (
    tenant               text             NOT NULL,
    id                   text             NOT NULL,
    execution_id         text             NOT NULL,
    agent_id             text             NOT NULL,
    agent_name           text,
    ts                   bigint           NOT NULL,
    checkpoint_reason    text             NOT NULL,
    step_number          integer          NOT NULL,
    total_steps_estimate integer,
    tokens_used          bigint           NOT NULL,
    duration_ms          double precision NOT NULL,
    parent_checkpoint_id text,
    is_branch            boolean          NOT NULL DEFAULT false,
    branch_reason        text,
    name                 text,
    description          text,
    object_key           text             NOT NULL,
    sha256               text             NOT NULL,
    size_bytes           bigint           NOT NULL,
    schema_version       text             NOT NULL,
    -- the whole canonical document, kept only when under caf.checkpoints.inline-max-bytes (quick restore)
    document             text,
    step_count           integer          NOT NULL,
    tool_call_count      integer          NOT NULL,
    idempotency_key      text,
    created_at           bigint           NOT NULL,
    CONSTRAINT checkpoints_pk PRIMARY KEY (tenant, id)
);
CREATE INDEX checkpoints_by_time ON checkpoints (tenant, ts DESC, id DESC);
CREATE INDEX checkpoints_by_execution ON checkpoints (tenant, execution_id, ts DESC, id DESC);
CREATE INDEX checkpoints_by_agent ON checkpoints (tenant, agent_id, ts DESC, id DESC);
CREATE INDEX checkpoints_by_reason ON checkpoints (tenant, checkpoint_reason, ts DESC, id DESC);
CREATE INDEX checkpoints_by_object ON checkpoints (object_key);
CREATE UNIQUE INDEX checkpoints_idempotency ON checkpoints (tenant, execution_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE checkpoint_thoughts (
    tenant         text             NOT NULL,
    checkpoint_id  text             NOT NULL,
    id             text             NOT NULL,
    seq            integer          NOT NULL,
    type           text             NOT NULL,
    content        text             NOT NULL,
    reasoning      text,
    confidence     double precision NOT NULL,
    parent_id      text,
    children_json  jsonb            NOT NULL,
    alternatives_json jsonb,
    metadata_json  jsonb,
    created_at     bigint           NOT NULL,
    search         tsvector GENERATED ALWAYS AS
                   (to_tsvector('simple', content || ' ' || coalesce(reasoning, ''))) STORED,
    CONSTRAINT checkpoint_thoughts_pk PRIMARY KEY (tenant, checkpoint_id, id),
    CONSTRAINT checkpoint_thoughts_checkpoint_fk FOREIGN KEY (tenant, checkpoint_id)
        REFERENCES checkpoints (tenant, id) ON DELETE CASCADE
);
CREATE INDEX checkpoint_thoughts_by_type ON checkpoint_thoughts (tenant, type, confidence, checkpoint_id);
CREATE INDEX checkpoint_thoughts_by_confidence ON checkpoint_thoughts (tenant, confidence, checkpoint_id);
CREATE INDEX checkpoint_thoughts_search ON checkpoint_thoughts USING gin (search);

CREATE TABLE checkpoint_tool_calls (
    tenant         text             NOT NULL,
    checkpoint_id  text             NOT NULL,
    id             text             NOT NULL,
    seq            integer          NOT NULL,
    tool_id        text             NOT NULL,
    status         text             NOT NULL,
    arguments_json jsonb            NOT NULL,
    result_json    jsonb,
    error          text,
    duration_ms    double precision,
    ts             bigint           NOT NULL,
    -- the checkpoint's own timestamp, so "newest checkpoints that used tool X" is one ordered index range
    checkpoint_ts  bigint           NOT NULL,
    CONSTRAINT checkpoint_tool_calls_pk PRIMARY KEY (tenant, checkpoint_id, id),
    CONSTRAINT checkpoint_tool_calls_checkpoint_fk FOREIGN KEY (tenant, checkpoint_id)
        REFERENCES checkpoints (tenant, id) ON DELETE CASCADE
);
CREATE INDEX checkpoint_tool_calls_by_tool ON checkpoint_tool_calls (tenant, tool_id, checkpoint_ts DESC, checkpoint_id DESC);
