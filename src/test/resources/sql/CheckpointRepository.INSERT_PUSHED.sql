-- CheckpointRepository.INSERT_PUSHED (dev.cafstate.checkpoint.repository)
-- parameters: $1 object_key, $2 claim, $3 tenant, $4 id, $5 execution, $6 agent_id, $7 agent_name, $8 ts, $9 reason, $10 step_number, $11 total_steps_estimate, $12 tokens_used, $13 duration_ms, $14 parent_checkpoint_id, $15 is_branch, $16 branch_reason, $17 name, $18 description, $19 sha256, $20 content_sha256, $21 size_bytes, $22 schema_version, $23 document, $24 step_count, $25 tool_call_count, $26 idempotency_key, $27 now, $28 idempotency_request, $29 origin_cluster, $30 cseq, $31 guard_fence, $32 t_close, $33 t_id, $34 t_seq, $35 t_hash, $36 t_type, $37 t_content, $38 t_reasoning, $39 t_confidence, $40 t_parent_id, $41 t_children, $42 t_alternatives, $43 t_metadata, $44 t_ts, $45 k_close, $46 k_id, $47 k_seq, $48 k_hash, $49 k_tool_id, $50 k_status, $51 k_arguments, $52 k_result, $53 k_error, $54 k_duration_ms, $55 k_ts, $56 events, $57 auto_export
WITH r AS (
  DELETE FROM object_claims WHERE object_key = $1 AND claim_id = $2 RETURNING 1),
c AS (
  INSERT INTO checkpoints (tenant, id, execution_id, agent_id, agent_name, ts, checkpoint_reason,
    step_number, total_steps_estimate, tokens_used, duration_ms, parent_checkpoint_id, is_branch,
    branch_reason, name, description, object_key, sha256, content_sha256, size_bytes, schema_version,
    document, step_count, tool_call_count, idempotency_key, created_at, idempotency_request,
    origin_cluster, cseq)
  SELECT $3, $4, $5, $6, $7, $8, $9, $10,
    $11, $12, $13, $14, $15, $16,
    $17, $18, $1, $19, $20, $21, $22, $23,
    $24, $25, $26, $27, $28, $29, $30
  FROM r
  WHERE NOT ($31 AND EXISTS (SELECT 1 FROM executions f WHERE f.tenant = $3 AND f.id = $5
  AND (f.owner_cluster IS NOT NULL OR f.handoff_id IS NOT NULL)))
  ON CONFLICT DO NOTHING
  RETURNING id),
tc AS (
  UPDATE catalog_thoughts SET to_cseq = $30 - 1
  FROM c WHERE tenant = $3 AND execution_id = $5 AND to_cseq IS NULL
    AND seq = ANY($32::int[])),
t AS (
  INSERT INTO catalog_thoughts (tenant, execution_id, seq, from_cseq, hash, id, type, content, reasoning,
    confidence, parent_id, children_json, alternatives_json, metadata_json, created_at)
  SELECT $3, $5, u.seq, $30, u.hash, u.id, u.type, u.content, u.reasoning, u.confidence,
    u.parent_id, u.children::jsonb, u.alternatives::json, u.metadata::json, u.ts
  FROM c, unnest($33::text[], $34::int[], $35::bytea[], $36::text[], $37::text[],
    $38::text[], $39::float8[], $40::text[], $41::text[],
    $42::text[], $43::text[], $44::bigint[])
    AS u(id, seq, hash, type, content, reasoning, confidence, parent_id, children, alternatives, metadata,
      ts)),
kc AS (
  UPDATE catalog_tool_calls SET to_cseq = $30 - 1
  FROM c WHERE tenant = $3 AND execution_id = $5 AND to_cseq IS NULL
    AND seq = ANY($45::int[])),
k AS (
  INSERT INTO catalog_tool_calls (tenant, execution_id, seq, from_cseq, hash, id, tool_id, status,
    arguments_json, result_json, error, duration_ms, ts)
  SELECT $3, $5, u.seq, $30, u.hash, u.id, u.tool_id, u.status, u.arguments::json,
    u.result::json, u.error, u.duration_ms, u.ts
  FROM c, unnest($46::text[], $47::int[], $48::bytea[], $49::text[], $50::text[],
    $51::text[], $52::text[], $53::text[], $54::float8[],
    $55::bigint[])
    AS u(id, seq, hash, tool_id, status, arguments, result, error, duration_ms, ts)),
x AS (
  INSERT INTO executions (tenant, id, agent_id, agent_name, status, started_at, updated_at,
    current_checkpoint_id, owner_cluster)
  SELECT $3, $5, $6, $7, 'running', $8, $27, c.id, $29 FROM c
  ON CONFLICT (tenant, id) DO UPDATE SET current_checkpoint_id = EXCLUDED.current_checkpoint_id,
    updated_at = EXCLUDED.updated_at
  WHERE EXCLUDED.owner_cluster IS NULL
    OR (executions.owner_cluster IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM checkpoints p WHERE p.tenant = executions.tenant
        AND p.id = executions.current_checkpoint_id AND p.ts > $8))
  RETURNING 1),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $3, $5, json_array_length($56::text::json) FROM c, (SELECT count(*) FROM x) linked
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($56::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $3, $5, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $27
  FROM oseq, json_array_elements($56::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord),
q AS (
  INSERT INTO transfer_queue (location, tenant, checkpoint_id, created_at)
  SELECT loc, $3, c.id, $27 FROM c, unnest($57::text[]) AS loc
  ON CONFLICT DO NOTHING)
SELECT (SELECT count(*) FROM r) AS held, (SELECT count(*) FROM c) AS inserted,
  $31 AND EXISTS (SELECT 1 FROM executions f WHERE f.tenant = $3 AND f.id = $5
  AND (f.owner_cluster IS NOT NULL OR f.handoff_id IS NOT NULL)) AS fenced
