-- ExecutionRepository.RESTORE (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution, $3 agent_id, $4 agent_name, $5 now, $6 checkpoint, $7 step_count, $8 message_count, $9 tool_call_count, $10 current_step_id, $11 variables, $12 last_tool_call_id, $13 step_number, $14 total_steps_estimate, $15 iterations_completed, $16 tokens_used, $17 duration_ms, $18 events
WITH e AS (
  INSERT INTO executions AS x (tenant, id, agent_id, agent_name, status, started_at, updated_at, version,
    parent_checkpoint_id, parent_is_branch, current_checkpoint_id, step_count, message_count, tool_call_count, current_step_id, variables, last_tool_call_id, step_number,
total_steps_estimate, iterations_completed, tokens_used, duration_ms)
  VALUES ($1, $2, $3, $4, 'running', $5, $5, 2, $6, false,
    $6, $7, $8, $9, $10, $11::text::json,
$12, $13, $14, $15, $16,
$17)
  ON CONFLICT (tenant, id) DO UPDATE SET status = 'running', ended_at = NULL, version = x.version + 1,
    updated_at = EXCLUDED.updated_at, parent_checkpoint_id = EXCLUDED.parent_checkpoint_id,
    parent_is_branch = false, current_checkpoint_id = EXCLUDED.current_checkpoint_id,
    step_count = EXCLUDED.step_count, message_count = EXCLUDED.message_count,
    tool_call_count = EXCLUDED.tool_call_count, current_step_id = EXCLUDED.current_step_id,
    variables = EXCLUDED.variables, last_tool_call_id = EXCLUDED.last_tool_call_id,
    step_number = EXCLUDED.step_number, total_steps_estimate = EXCLUDED.total_steps_estimate,
    iterations_completed = EXCLUDED.iterations_completed, tokens_used = EXCLUDED.tokens_used,
    duration_ms = EXCLUDED.duration_ms
  RETURNING *),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $1, $2, ev.value ->> 'type', ev.value, $5
  FROM e, json_array_elements($18::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT id, agent_id, agent_name, status, started_at, ended_at, current_checkpoint_id, metadata::text AS metadata,
step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms, step_count,
message_count, tool_call_count, version FROM e
