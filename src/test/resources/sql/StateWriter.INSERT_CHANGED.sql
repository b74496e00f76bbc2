-- StateWriter.INSERT_CHANGED (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution, $3 steps, $4 step_seqs, $5 messages, $6 message_seqs, $7 memory_count, $8 memory, $9 call_count, $10 calls
WITH a AS (
  INSERT INTO runtime_thoughts (tenant, execution_id, seq, id, type, content, reasoning, confidence, alternatives, parent_id,
  children, metadata, ts)
  SELECT $1, $2, q.seq, s.value ->> 'id', s.value ->> 'type', s.value ->> 'content', s.value ->> 'reasoning',
  (s.value ->> 'confidence')::float8, s.value -> 'alternatives', s.value ->> 'parent_id',
  COALESCE((s.value -> 'children')::jsonb, '[]'::jsonb), s.value -> 'metadata',
  (s.value ->> 'timestamp')::numeric::bigint
  FROM json_array_elements($3::text::json) WITH ORDINALITY AS s(value, ord)
  JOIN unnest($4::bigint[]) WITH ORDINALITY AS q(seq, ord) ON q.ord = s.ord
),
b AS (
  INSERT INTO runtime_messages (tenant, execution_id, seq, role, content, tool_calls, tool_results, ts)
  SELECT $1, $2, q.seq, m.value ->> 'role', m.value ->> 'content', m.value -> 'tool_calls', m.value -> 'tool_results',
  (m.value ->> 'timestamp')::numeric::bigint
  FROM json_array_elements($5::text::json) WITH ORDINALITY AS m(value, ord)
  JOIN unnest($6::bigint[]) WITH ORDINALITY AS q(seq, ord) ON q.ord = m.ord
),
c AS (
  INSERT INTO runtime_memory (tenant, execution_id, seq, key, value, importance, ts)
  SELECT $1, $2, m.ord - $7 - 1, m.value ->> 'key', m.value -> 'value',
    (m.value ->> 'importance')::float8, (m.value ->> 'timestamp')::numeric::bigint
  FROM json_array_elements($8::text::json) WITH ORDINALITY AS m(value, ord))
INSERT INTO runtime_tool_calls (tenant, execution_id, seq, status_seq, id, tool_id, arguments, status, result, error, duration_ms, ts, list)
  SELECT $1, $2, t.ord, t.ord - $9 - 1, t.value ->> 'id', t.value ->> 'tool_id', t.value -> 'arguments', t.value ->> 'status',
    t.value -> 'result', t.value ->> 'error', (t.value ->> 'duration_ms')::float8,
    (t.value ->> 'timestamp')::numeric::bigint, t.value ->> 'list'
  FROM json_array_elements($10::text::json) WITH ORDINALITY AS t(value, ord)
