-- CheckpointRepository.INSERT_RUNTIME (dev.cafstate.checkpoint.repository)
-- parameters: $1 object_key, $2 claim, $3 tenant, $4 id, $5 execution, $6 agent_id, $7 agent_name, $8 ts, $9 reason, $10 step_number, $11 total_steps_estimate, $12 tokens_used, $13 duration_ms, $14 parent_checkpoint_id, $15 is_branch, $16 branch_reason, $17 name, $18 description, $19 sha256, $20 content_sha256, $21 size_bytes, $22 schema_version, $23 document, $24 step_count, $25 tool_call_count, $26 idempotency_key, $27 now, $28 idempotency_request, $29 origin_cluster, $30 guard_fence, $31 t_id, $32 t_seq, $33 t_type, $34 t_content, $35 t_reasoning, $36 t_confidence, $37 t_parent_id, $38 t_children, $39 t_alternatives, $40 t_metadata, $41 t_ts, $42 k_id, $43 k_seq, $44 k_tool_id, $45 k_status, $46 k_arguments, $47 k_result, $48 k_error, $49 k_duration_ms, $50 k_ts, $51 events, $52 auto_export
WITH r AS (
  DELETE FROM object_claims WHERE object_key = $1 AND claim_id = $2 RETURNING 1),
c AS (
  INSERT INTO checkpoints (tenant, id, execution_id, agent_id, agent_name, ts, checkpoint_reason,
    step_number, total_steps_estimate, tokens_used, duration_ms, parent_checkpoint_id, is_branch,
    branch_reason, name, description, object_key, sha256, content_sha256, size_bytes, schema_version,
    document, step_count, tool_call_count, idempotency_key, created_at, idempotency_request,
    origin_cluster)
  SELECT $3, $4, $5, $6, $7, $8, $9, $10,
    $11, $12, $13, $14, $15, $16,
    $17, $18, $1, $19, $20, $21, $22, $23,
    $24, $25, $26, $27, $28, $29
  FROM r
  WHERE NOT ($30 AND EXISTS (SELECT 1 FROM executions f WHERE f.tenant = $3 AND f.id = $5
  AND (f.owner_cluster IS NOT NULL OR f.handoff_id IS NOT NULL)))
  ON CONFLICT DO NOTHING
  RETURNING id),
t AS (
  INSERT INTO checkpoint_thoughts (tenant, checkpoint_id, id, seq, type, content, reasoning, confidence,
    parent_id, children_json, alternatives_json, metadata_json, created_at)
  SELECT $3, c.id, u.id, u.seq, u.type, u.content, u.reasoning, u.confidence, u.parent_id,
    u.children::jsonb, u.alternatives::json, u.metadata::json, u.ts
  FROM c, unnest($31::text[], $32::int[], $33::text[], $34::text[],
    $35::text[], $36::float8[], $37::text[], $38::text[],
    $39::text[], $40::text[], $41::bigint[])
    AS u(id, seq, type, content, reasoning, confidence, parent_id, children, alternatives, metadata, ts)),
k AS (
  INSERT INTO checkpoint_tool_calls (tenant, checkpoint_id, id, seq, tool_id, status, arguments_json,
    result_json, error, duration_ms, ts, checkpoint_ts)
  SELECT $3, c.id, u.id, u.seq, u.tool_id, u.status, u.arguments::json, u.result::json, u.error,
    u.duration_ms, u.ts, $8
  FROM c, unnest($42::text[], $43::int[], $44::text[], $45::text[],
    $46::text[], $47::text[], $48::text[], $49::float8[],
    $50::bigint[])
    AS u(id, seq, tool_id, status, arguments, result, error, duration_ms, ts)),
x AS (
  UPDATE executions SET current_checkpoint_id = c.id, parent_checkpoint_id = NULL,
    parent_is_branch = false, updated_at = $27
  FROM c WHERE executions.tenant = $3 AND executions.id = $5),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $3, $5, ev.value ->> 'type', ev.value, $27
  FROM c, json_array_elements($51::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord),
q AS (
  INSERT INTO transfer_queue (location, tenant, checkpoint_id, created_at)
  SELECT loc, $3, c.id, $27 FROM c, unnest($52::text[]) AS loc
  ON CONFLICT DO NOTHING)
SELECT (SELECT count(*) FROM r) AS held, (SELECT count(*) FROM c) AS inserted,
  $30 AND EXISTS (SELECT 1 FROM executions f WHERE f.tenant = $3 AND f.id = $5
  AND (f.owner_cluster IS NOT NULL OR f.handoff_id IS NOT NULL)) AS fenced
