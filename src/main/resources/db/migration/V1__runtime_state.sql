-- Runtime state (layer 1 of the CAF hybrid architecture), the transactional outbox, and two helpers.
-- Every table is scoped by tenant first: every key, index and query starts with it.

-- RFC 7396 JSON merge patch, so variables/metadata patches are one statement instead of read-modify-write.
CREATE FUNCTION jsonb_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k text;
    v jsonb;
    result jsonb;
BEGIN
    IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN
        RETURN patch;
    END IF;
    IF target IS NULL OR jsonb_typeof(target) <> 'object' THEN
        result := '{}'::jsonb;
    ELSE
        result := target;
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(patch) LOOP
        IF jsonb_typeof(v) = 'null' THEN
            result := result - k;
        ELSE
            result := jsonb_set(result, ARRAY[k], jsonb_merge_patch(result -> k, v));
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- Aborts the current statement (and so its whole single-statement transaction) with a code the service maps to a
-- problem: lets an append check its own outcome (unknown parent, duplicate id) without a second round trip.
CREATE FUNCTION caf_fail(code text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'caf:' || code;
END
$$;

CREATE TABLE executions (
    tenant               text             NOT NULL,
    id                   text             NOT NULL,
    agent_id             text             NOT NULL,
    agent_name           text,
    status               text             NOT NULL,
    metadata             jsonb,
    started_at           bigint           NOT NULL,
    ended_at             bigint,
    updated_at           bigint           NOT NULL,
    -- state version: bumped by every change of any part; the ETag
    version              bigint           NOT NULL DEFAULT 1,
    current_step_id      text,
    current_checkpoint_id text,
    parent_checkpoint_id text,
    parent_is_branch     boolean          NOT NULL DEFAULT false,
    variables            jsonb            NOT NULL DEFAULT '{}'::jsonb,
    last_tool_call_id    text,
    step_number          integer          NOT NULL DEFAULT 0,
    total_steps_estimate integer,
    iterations_completed integer          NOT NULL DEFAULT 0,
    tokens_used          bigint           NOT NULL DEFAULT 0,
    duration_ms          double precision NOT NULL DEFAULT 0,
    -- item counters, also the source of each part's order (seq)
    step_count           bigint           NOT NULL DEFAULT 0,
    message_count        bigint           NOT NULL DEFAULT 0,
    tool_call_count      bigint           NOT NULL DEFAULT 0,
    CONSTRAINT executions_pk PRIMARY KEY (tenant, id),
    CONSTRAINT executions_status_ck CHECK (status IN ('pending', 'running', 'paused', 'completed', 'failed', 'cancelled'))
);
CREATE INDEX executions_by_start ON executions (tenant, started_at DESC, id DESC);
CREATE INDEX executions_by_agent ON executions (tenant, agent_id, started_at DESC, id DESC);
CREATE INDEX executions_by_status ON executions (tenant, status, started_at DESC, id DESC);

CREATE TABLE runtime_thoughts (
    tenant        text             NOT NULL,
    execution_id  text             NOT NULL,
    id            text             NOT NULL,
    seq           bigint           NOT NULL,
    type          text             NOT NULL,
    content       text             NOT NULL,
    reasoning     text,
    confidence    double precision NOT NULL,
    alternatives  jsonb,
    parent_id     text,
    children      jsonb            NOT NULL DEFAULT '[]'::jsonb,
    metadata      jsonb,
    ts            bigint           NOT NULL,
    CONSTRAINT runtime_thoughts_pk PRIMARY KEY (tenant, execution_id, id),
    CONSTRAINT runtime_thoughts_execution_fk FOREIGN KEY (tenant, execution_id)
        REFERENCES executions (tenant, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX runtime_thoughts_order ON runtime_thoughts (tenant, execution_id, seq);

CREATE TABLE runtime_messages (
    tenant        text   NOT NULL,
    execution_id  text   NOT NULL,
    seq           bigint NOT NULL,
    role          text   NOT NULL,
    content       text   NOT NULL,
    tool_calls    jsonb,
    tool_results  jsonb,
    ts            bigint,
    CONSTRAINT runtime_messages_pk PRIMARY KEY (tenant, execution_id, seq),
    CONSTRAINT runtime_messages_execution_fk FOREIGN KEY (tenant, execution_id)
        REFERENCES executions (tenant, id) ON DELETE CASCADE
);

CREATE TABLE runtime_memory (
    tenant        text             NOT NULL,
    execution_id  text             NOT NULL,
    key           text             NOT NULL,
    seq           bigint           NOT NULL,
    value         jsonb            NOT NULL,
    importance    double precision NOT NULL,
    ts            bigint           NOT NULL,
    CONSTRAINT runtime_memory_pk PRIMARY KEY (tenant, execution_id, key),
    CONSTRAINT runtime_memory_execution_fk FOREIGN KEY (tenant, execution_id)
        REFERENCES executions (tenant, id) ON DELETE CASCADE
);

CREATE TABLE runtime_tool_calls (
    tenant        text             NOT NULL,
    execution_id  text             NOT NULL,
    id            text             NOT NULL,
    seq           bigint           NOT NULL,
    -- order inside the tool-state list the call currently sits in (the version of its last transition)
    status_seq    bigint           NOT NULL,
    -- null only for calls known by id alone (CAF lists pending/running calls as ids)
    tool_id       text,
    arguments     jsonb,
    status        text             NOT NULL,
    result        jsonb,
    error         text,
    duration_ms   double precision,
    ts            bigint           NOT NULL,
    CONSTRAINT runtime_tool_calls_pk PRIMARY KEY (tenant, execution_id, id),
    CONSTRAINT runtime_tool_calls_execution_fk FOREIGN KEY (tenant, execution_id)
        REFERENCES executions (tenant, id) ON DELETE CASCADE,
    CONSTRAINT runtime_tool_calls_status_ck CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'))
);
CREATE INDEX runtime_tool_calls_by_status ON runtime_tool_calls (tenant, execution_id, status, status_seq);

-- Transactional outbox: every change writes its event here in the same transaction; the relay publishes to
-- RabbitMQ, SSE streams read from here (seq is the SSE event id). Rows stay for caf.events.retention.
-- No NOTIFY trigger: notifying transactions serialize on PostgreSQL's notification queue at commit, which halved
-- append throughput when measured; replicas poll this table instead (a range scan on seq).
CREATE TABLE outbox_events (
    seq           bigserial PRIMARY KEY,
    event_id      uuid   NOT NULL UNIQUE,
    tenant        text   NOT NULL,
    execution_id  text   NOT NULL,
    type          text   NOT NULL,
    payload       jsonb  NOT NULL,
    created_at    bigint NOT NULL,
    published_at  bigint
);
CREATE INDEX outbox_events_unpublished ON outbox_events (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_events_by_execution ON outbox_events (tenant, execution_id, seq);
CREATE INDEX outbox_events_by_age ON outbox_events (created_at) WHERE published_at IS NOT NULL;
