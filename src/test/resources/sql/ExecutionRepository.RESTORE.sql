-- ExecutionRepository.RESTORE (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution, $3 agent_id, $4 agent_name, $5 now, $6 checkpoint, $7 resume_epoch, $8 step_count, $9 message_count, $10 tool_call_count, $11 current_step_id, $12 variables, $13 last_tool_call_id, $14 step_number, $15 total_steps_estimate, $16 iterations_completed, $17 tokens_used, $18 duration_ms, $19 events
WITH e AS (
  INSERT INTO executions AS x (tenant, id, agent_id, agent_name, status, started_at, updated_at, version,
    parent_checkpoint_id, parent_is_branch, current_checkpoint_id, epoch, step_count, message_count, tool_call_count, current_step_id, variables, last_tool_call_id, step_number,
total_steps_estimate, iterations_completed, tokens_used, duration_ms)
  VALUES ($1, $2, $3, $4, 'running', $5, $5, 2, $6, false,
    $6, COALESCE($7::bigint, 1), $8, $9, $10, $11, $12::text::json,
$13, $14, $15, $16, $17,
$18)
  ON CONFLICT (tenant, id) DO UPDATE SET status = 'running', ended_at = NULL, version = x.version + 1,
    updated_at = EXCLUDED.updated_at, parent_checkpoint_id = EXCLUDED.parent_checkpoint_id,
    parent_is_branch = false, current_checkpoint_id = EXCLUDED.current_checkpoint_id,
    step_count = EXCLUDED.step_count, message_count = EXCLUDED.message_count,
    tool_call_count = EXCLUDED.tool_call_count, current_step_id = EXCLUDED.current_step_id,
    variables = EXCLUDED.variables, last_tool_call_id = EXCLUDED.last_tool_call_id,
    step_number = EXCLUDED.step_number, total_steps_estimate = EXCLUDED.total_steps_estimate,
    iterations_completed = EXCLUDED.iterations_completed, tokens_used = EXCLUDED.tokens_used,
    duration_ms = EXCLUDED.duration_ms, epoch = COALESCE($7::bigint, x.epoch),
    owner_cluster = NULL, handoff_id = NULL
  WHERE ($7::bigint IS NULL AND x.owner_cluster IS NULL AND x.handoff_id IS NULL)
    OR x.epoch < $7::bigint
  RETURNING *),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $1, $2, json_array_length($19::text::json) FROM e
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($19::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $1, $2, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $5
  FROM oseq, json_array_elements($19::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT id, agent_id, agent_name, status, started_at, ended_at, current_checkpoint_id, metadata::text AS metadata,
step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms, step_count,
message_count, tool_call_count, version, epoch, owner_cluster, handoff_id::text AS handoff_id FROM e
