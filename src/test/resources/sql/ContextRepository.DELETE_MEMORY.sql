-- ContextRepository.DELETE_MEMORY (dev.cafstate.runtime.repository)
-- parameters: $1 now, $2 tenant, $3 execution, $4 expected, $5 key, $6 events
WITH e AS (
  UPDATE executions SET version = version + 1, updated_at = $1
  WHERE tenant = $2 AND id = $3 AND status IN ('pending', 'running', 'paused') AND owner_cluster IS NULL AND handoff_id IS NULL
    AND ($4::bigint[] IS NULL OR version = ANY($4))
  RETURNING version, step_count, message_count, tool_call_count),
d AS (
  DELETE FROM runtime_memory m USING e
  WHERE m.tenant = $2 AND m.execution_id = $3 AND m.key = $5
  RETURNING 1),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $2, $3, json_array_length($6::text::json) FROM e
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($6::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $2, $3, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $1
  FROM oseq, json_array_elements($6::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT e.version,
  CASE WHEN (SELECT count(*) FROM d) = 0 THEN caf_fail('unknown_memory') ELSE 0 END AS ok
FROM e
