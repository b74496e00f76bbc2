-- ThoughtRepository.APPEND (dev.cafstate.runtime.repository)
-- parameters: $1 now, $2 count, $3 current_step_id, $4 tenant, $5 execution, $6 expected, $7 parents, $8 steps, $9 events, $10 parent_count
WITH e AS (
  UPDATE executions SET version = version + 1, updated_at = $1, step_count = step_count + $2, current_step_id = $3
  WHERE tenant = $4 AND id = $5 AND status IN ('pending', 'running', 'paused') AND owner_cluster IS NULL AND handoff_id IS NULL
    AND ($6::bigint[] IS NULL OR version = ANY($6))
  RETURNING version, step_count, message_count, tool_call_count),
p AS (
  UPDATE runtime_thoughts t SET children = t.children || (x.value -> 'kids')
  FROM e, jsonb_array_elements($7::text::jsonb) AS x(value)
  WHERE t.tenant = $4 AND t.execution_id = $5 AND t.id = x.value ->> 'id'
  RETURNING 1),
i AS (
  INSERT INTO runtime_thoughts (tenant, execution_id, seq, id, type, content, reasoning, confidence, alternatives, parent_id,
  children, metadata, ts)
  SELECT $4, $5, e.step_count - $2 + s.ord, s.value ->> 'id', s.value ->> 'type', s.value ->> 'content', s.value ->> 'reasoning',
  (s.value ->> 'confidence')::float8, s.value -> 'alternatives', s.value ->> 'parent_id',
  COALESCE((s.value -> 'children')::jsonb, '[]'::jsonb), s.value -> 'metadata',
  (s.value ->> 'timestamp')::numeric::bigint
  FROM e, json_array_elements($8::text::json) WITH ORDINALITY AS s(value, ord)
  ON CONFLICT DO NOTHING
  RETURNING 1),
oseq AS (
  INSERT INTO event_sequences AS es (tenant, execution_id, last)
  SELECT $4, $5, json_array_length($9::text::json) FROM e
  ON CONFLICT (tenant, execution_id) DO UPDATE SET last = es.last + EXCLUDED.last
  RETURNING es.last - json_array_length($9::text::json) AS before),
o AS (
  INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)
  SELECT (ev.value ->> 'id')::uuid, $4, $5, oseq.before + ev.ord, ev.value ->> 'type',
    caf_event_with_sequence(ev.value, oseq.before + ev.ord), $1
  FROM oseq, json_array_elements($9::text::json) WITH ORDINALITY AS ev(value, ord)
  ORDER BY ev.ord)
SELECT e.version,
  CASE WHEN (SELECT count(*) FROM p) <> $10 THEN caf_fail('unknown_parent')
       WHEN (SELECT count(*) FROM i) <> $2 THEN caf_fail('duplicate_step')
       ELSE 0 END AS ok
FROM e
