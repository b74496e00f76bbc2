-- StateWriter.DELETE_CHANGED (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution, $3 gone_steps, $4 gone_messages
WITH a AS (DELETE FROM runtime_thoughts WHERE tenant = $1 AND execution_id = $2
  AND seq = ANY($3::bigint[])),
b AS (DELETE FROM runtime_messages WHERE tenant = $1 AND execution_id = $2
  AND seq = ANY($4::bigint[])),
c AS (DELETE FROM runtime_memory WHERE tenant = $1 AND execution_id = $2)
DELETE FROM runtime_tool_calls WHERE tenant = $1 AND execution_id = $2
