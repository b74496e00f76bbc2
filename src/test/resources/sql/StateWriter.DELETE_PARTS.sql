-- StateWriter.DELETE_PARTS (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution, $3 steps, $4 messages
WITH a AS (DELETE FROM runtime_thoughts r
WHERE r.tenant = $1 AND r.execution_id = $2 AND NOT EXISTS (
  SELECT 1 FROM json_array_elements($3::text::json) WITH ORDINALITY AS s(value, ord)
  WHERE s.ord = r.seq AND s.value ->> 'id' = r.id AND s.value ->> 'content' = r.content
    AND s.value ->> 'type' = r.type AND (s.value ->> 'reasoning') IS NOT DISTINCT FROM r.reasoning
    AND (s.value ->> 'confidence')::float8 = r.confidence
    AND (s.value -> 'alternatives')::text IS NOT DISTINCT FROM r.alternatives::text
    AND (s.value ->> 'parent_id') IS NOT DISTINCT FROM r.parent_id
    AND COALESCE((s.value -> 'children')::jsonb, '[]'::jsonb) = r.children
    AND (s.value -> 'metadata')::text IS NOT DISTINCT FROM r.metadata::text
    AND (s.value ->> 'timestamp')::numeric::bigint = r.ts)),
b AS (DELETE FROM runtime_messages r
WHERE r.tenant = $1 AND r.execution_id = $2 AND NOT EXISTS (
  SELECT 1 FROM json_array_elements($4::text::json) WITH ORDINALITY AS m(value, ord)
  WHERE m.ord = r.seq AND m.value ->> 'content' = r.content AND m.value ->> 'role' = r.role
    AND (m.value -> 'tool_calls')::text IS NOT DISTINCT FROM r.tool_calls::text
    AND (m.value -> 'tool_results')::text IS NOT DISTINCT FROM r.tool_results::text
    AND (m.value ->> 'timestamp')::numeric::bigint = r.ts)),
c AS (DELETE FROM runtime_memory WHERE tenant = $1 AND execution_id = $2)
DELETE FROM runtime_tool_calls WHERE tenant = $1 AND execution_id = $2
