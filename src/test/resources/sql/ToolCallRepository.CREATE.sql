-- ToolCallRepository.CREATE (dev.cafstate.runtime.repository)
-- parameters: $1 now, $2 call, $3 tenant, $4 execution, $5 expected, $6 calls, $7 events
WITH e AS (
  UPDATE executions SET version = version + 1, updated_at = $1, tool_call_count = tool_call_count + 1, last_tool_call_id = $2
  WHERE tenant = $3 AND id = $4 AND status IN ('pending', 'running', 'paused') AND owner_cluster IS NULL AND handoff_id IS NULL
    AND ($5::bigint[] IS NULL OR version = ANY($5))
  RETURNING version, step_count, message_count, tool_call_count),
i AS (
  INSERT INTO runtime_tool_calls (tenant, execution_id, seq, status_seq, id, tool_id, arguments, status, result, error, duration_ms, ts, list)
  SELECT $3, $4, e.tool_call_count, e.version, t.value ->> 'id', t.value ->> 'tool_id', t.value -> 'arguments', t.value ->> 'status',
    t.value -> 'result', t.value ->> 'error', (t.value ->> 'duration_ms')::float8,
    (t.value ->> 'timestamp')::numeric::bigint, t.value ->> 'list'
  FROM e, json_array_elements($6::text::json) AS t(value)
  ON CONFLICT DO NOTHING
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
SELECT e.version,
  CASE WHEN (SELECT count(*) FROM i) = 0 THEN caf_fail('duplicate_tool_call') ELSE 0 END AS ok
FROM e
