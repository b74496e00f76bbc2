-- ExecutionRepository.UPDATE (dev.cafstate.runtime.repository)
-- parameters: $1 status, $2 ended_at, $3 metadata, $4 now, $5 tenant, $6 execution, $7 events
WITH e AS (
  UPDATE executions SET status = $1, ended_at = $2, metadata = $3::text::json,
    updated_at = $4, version = version + 1
  WHERE tenant = $5 AND id = $6
  RETURNING *),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $5, $6, json_array_length($7::text::json) FROM e
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($7::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $5, $6, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $4
  FROM oseq, json_array_elements($7::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT id, agent_id, agent_name, status, started_at, ended_at, current_checkpoint_id, metadata::text AS metadata,
step_number, total_steps_estimate, iterations_completed, tokens_used, duration_ms, step_count,
message_count, tool_call_count, version, epoch, owner_cluster, handoff_id::text AS handoff_id FROM e
