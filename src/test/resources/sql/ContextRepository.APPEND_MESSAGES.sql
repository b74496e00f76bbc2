-- ContextRepository.APPEND_MESSAGES (dev.cafstate.runtime.repository)
-- parameters: $1 now, $2 count, $3 tenant, $4 execution, $5 expected, $6 messages, $7 events
WITH e AS (
  UPDATE executions SET version = version + 1, updated_at = $1, message_count = message_count + $2
  WHERE tenant = $3 AND id = $4 AND status IN ('pending', 'running', 'paused') AND owner_cluster IS NULL AND handoff_id IS NULL
    AND ($5::bigint[] IS NULL OR version = ANY($5))
  RETURNING version, step_count, message_count, tool_call_count),
i AS (
  INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls, tool_results, ts)
  SELECT $3, $4, e.message_count - $2 + m.ord, m.value ->> 'role', m.value ->> 'content', m.value -> 'tool_calls', m.value -> 'tool_results',
  (m.value ->> 'timestamp')::numeric::bigint
  FROM e, json_array_elements($6::text::json) WITH ORDINALITY AS m(value, ord)
  RETURNING 1),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $3, $4, json_array_length($7::text::json) FROM e
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($7::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $3, $4, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $1
  FROM oseq, json_array_elements($7::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT e.version FROM e
