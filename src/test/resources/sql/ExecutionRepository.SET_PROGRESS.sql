-- ExecutionRepository.SET_PROGRESS (dev.cafstate.runtime.repository)
-- parameters: $1 now, $2 step_number, $3 total_steps_estimate, $4 iterations_completed, $5 tokens_used, $6 duration_ms, $7 tenant, $8 execution, $9 expected, $10 events
WITH e AS (
  UPDATE executions SET version = version + 1, updated_at = $1, step_number = $2, total_steps_estimate = $3, iterations_completed = $4, tokens_used = $5, duration_ms = $6
  WHERE tenant = $7 AND id = $8 AND status IN ('pending', 'running', 'paused') AND owner_cluster IS NULL AND handoff_id IS NULL
    AND ($9::bigint[] IS NULL OR version = ANY($9))
  RETURNING version, step_count, message_count, tool_call_count),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $7, $8, json_array_length($10::text::json) FROM e
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($10::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $7, $8, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $1
  FROM oseq, json_array_elements($10::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT e.version FROM e
