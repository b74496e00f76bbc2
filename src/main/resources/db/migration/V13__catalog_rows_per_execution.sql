-- The catalog's second version (issue 13): rows linear in the run, not in the run times its checkpoints.
--
-- Each checkpoint of an execution has a sequence number, cseq (1, 2, ... in the order this cluster stored them).
-- A thought or tool-call row is stored once per version of its content and position within its execution, with the
-- range of the execution's checkpoints that contain it: from_cseq through to_cseq, to_cseq NULL while the newest
-- checkpoint still contains it (an "open" row). A checkpoint's rows are those whose range holds its cseq. A new
-- checkpoint in which d rows were added or changed since the execution's previous one closes those rows' old
-- versions and inserts d rows; the rest are untouched. hash is the SHA-256 of a row's content as the service computes
-- it (CatalogRows); rows carried over by this migration have none and are replaced by the next checkpoint.

ALTER TABLE checkpoints ADD COLUMN cseq bigint;
UPDATE checkpoints c SET cseq = s.n
FROM (SELECT tenant, id,
        row_number() OVER (PARTITION BY tenant, execution_id ORDER BY created_at, ts, id) AS n
      FROM checkpoints) s
WHERE c.tenant = s.tenant AND c.id = s.id;
ALTER TABLE checkpoints ALTER COLUMN cseq SET NOT NULL;
CREATE UNIQUE INDEX checkpoints_by_cseq ON checkpoints (tenant, execution_id, cseq);

CREATE TABLE catalog_thoughts (
    tenant            text             NOT NULL,
    execution_id      text             NOT NULL,
    seq               integer          NOT NULL,
    from_cseq         bigint           NOT NULL,
    to_cseq           bigint,
    hash              bytea,
    id                text             NOT NULL,
    type              text             NOT NULL,
    content           text             NOT NULL,
    reasoning         text,
    confidence        double precision NOT NULL,
    parent_id         text,
    children_json     jsonb            NOT NULL,
    alternatives_json json,
    metadata_json     json,
    created_at        bigint           NOT NULL,
    search            tsvector GENERATED ALWAYS AS
                      (to_tsvector('simple', content || ' ' || coalesce(reasoning, ''))) STORED,
    CONSTRAINT catalog_thoughts_pk PRIMARY KEY (tenant, execution_id, seq, from_cseq)
);
CREATE INDEX catalog_thoughts_by_type ON catalog_thoughts (tenant, execution_id, type, confidence);
CREATE INDEX catalog_thoughts_by_confidence ON catalog_thoughts (tenant, execution_id, confidence);
CREATE INDEX catalog_thoughts_search ON catalog_thoughts USING gin (search);
-- what a new checkpoint is compared with, read by an index-only scan: the open rows' position, id and hash
CREATE INDEX catalog_thoughts_open ON catalog_thoughts (tenant, execution_id) INCLUDE (seq, id, hash)
    WHERE to_cseq IS NULL;

CREATE TABLE catalog_tool_calls (
    tenant         text             NOT NULL,
    execution_id   text             NOT NULL,
    seq            integer          NOT NULL,
    from_cseq      bigint           NOT NULL,
    to_cseq        bigint,
    hash           bytea,
    id             text             NOT NULL,
    tool_id        text             NOT NULL,
    status         text             NOT NULL,
    arguments_json json             NOT NULL,
    result_json    json,
    error          text,
    duration_ms    double precision,
    ts             bigint           NOT NULL,
    CONSTRAINT catalog_tool_calls_pk PRIMARY KEY (tenant, execution_id, seq, from_cseq)
);
CREATE INDEX catalog_tool_calls_by_tool ON catalog_tool_calls (tenant, tool_id, execution_id, from_cseq);
CREATE INDEX catalog_tool_calls_by_execution_tool ON catalog_tool_calls (tenant, execution_id, tool_id, from_cseq);
CREATE INDEX catalog_tool_calls_open ON catalog_tool_calls (tenant, execution_id) INCLUDE (seq, id, hash)
    WHERE to_cseq IS NULL;

-- the old rows, one per checkpoint, become ranges: the same content at the same position in consecutive checkpoints
-- of an execution is one row (gaps and islands: cseq minus the rank within equal content is constant on an island)
INSERT INTO catalog_thoughts (tenant, execution_id, seq, from_cseq, to_cseq, id, type, content, reasoning, confidence,
    parent_id, children_json, alternatives_json, metadata_json, created_at)
SELECT tenant, execution_id, seq, min(cseq), CASE WHEN max(cseq) = last_cseq THEN NULL ELSE max(cseq) END, id, type,
    content, reasoning, confidence, parent_id, children::jsonb, alternatives::json, metadata::json, created_at
FROM (SELECT t.tenant, c.execution_id, t.seq, c.cseq, t.id, t.type, t.content, t.reasoning, t.confidence,
        t.parent_id, t.children_json::text AS children, t.alternatives_json::text AS alternatives,
        t.metadata_json::text AS metadata, t.created_at,
        max(c.cseq) OVER (PARTITION BY c.tenant, c.execution_id) AS last_cseq,
        c.cseq - dense_rank() OVER (PARTITION BY t.tenant, c.execution_id, t.seq, t.id, t.type, t.content,
            t.reasoning, t.confidence, t.parent_id, t.children_json::text, t.alternatives_json::text,
            t.metadata_json::text, t.created_at ORDER BY c.cseq) AS island
      FROM checkpoint_thoughts t JOIN checkpoints c ON c.tenant = t.tenant AND c.id = t.checkpoint_id) x
GROUP BY tenant, execution_id, seq, id, type, content, reasoning, confidence, parent_id, children, alternatives,
    metadata, created_at, island, last_cseq;

INSERT INTO catalog_tool_calls (tenant, execution_id, seq, from_cseq, to_cseq, id, tool_id, status, arguments_json,
    result_json, error, duration_ms, ts)
SELECT tenant, execution_id, seq, min(cseq), CASE WHEN max(cseq) = last_cseq THEN NULL ELSE max(cseq) END, id,
    tool_id, status, arguments::json, result::json, error, duration_ms, ts
FROM (SELECT k.tenant, c.execution_id, k.seq, c.cseq, k.id, k.tool_id, k.status,
        k.arguments_json::text AS arguments, k.result_json::text AS result, k.error, k.duration_ms, k.ts,
        max(c.cseq) OVER (PARTITION BY c.tenant, c.execution_id) AS last_cseq,
        c.cseq - dense_rank() OVER (PARTITION BY k.tenant, c.execution_id, k.seq, k.id, k.tool_id, k.status,
            k.arguments_json::text, k.result_json::text, k.error, k.duration_ms, k.ts ORDER BY c.cseq) AS island
      FROM checkpoint_tool_calls k JOIN checkpoints c ON c.tenant = k.tenant AND c.id = k.checkpoint_id) x
GROUP BY tenant, execution_id, seq, id, tool_id, status, arguments, result, error, duration_ms, ts, island,
    last_cseq;

DROP TABLE checkpoint_thoughts;
DROP TABLE checkpoint_tool_calls;
