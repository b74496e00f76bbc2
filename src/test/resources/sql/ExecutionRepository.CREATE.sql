-- ExecutionRepository.CREATE (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution, $3 agent_id, $4 agent_name, $5 metadata, $6 now, $7 version, $8 parent_checkpoint_id, $9 parent_is_branch, $10 current_checkpoint_id, $11 step_count, $12 message_count, $13 tool_call_count, $14 current_step_id, $15 variables, $16 last_tool_call_id, $17 step_number, $18 total_steps_estimate, $19 iterations_completed, $20 tokens_used, $21 duration_ms, $22 events
WITH e AS (
  INSERT INTO executions (tenant, id, agent_id, agent_name, status, metadata, started_at, updated_at,
    version, parent_checkpoint_id, parent_is_branch, current_checkpoint_id, step_count, message_count, tool_call_count, current_step_id, variables, last_tool_call_id, step_number,
total_steps_estimate, iterations_completed, tokens_used, duration_ms)
  VALUES ($1, $2, $3, $4, 'running', $5::text::json, $6, $6,
    $7, $8, $9, $10, $11, $12, $13, $14, $15::text::json,
$16, $17, $18, $19, $20,
$21)
  ON CONFLICT DO NOTHING
  RETURNING *),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $1, $2, json_array_length($22::text::json) FROM e
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($22::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $1, $2, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $6
  FROM oseq, json_array_elements($22::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT id, agent_id, agent_name, status, started_at, ended_at, current_checkpoint_id, metadata::text AS metadata,
step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms, step_count,
message_count, tool_call_count, version, epoch, owner_cluster, handoff_id::text AS handoff_id FROM e
