-- StateWriter.DELETE_PARTS (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution
WITH a AS (DELETE FROM runtime_thoughts WHERE tenant = $1 AND execution_id = $2),
b AS (DELETE FROM runtime_messages WHERE tenant = $1 AND execution_id = $2),
c AS (DELETE FROM runtime_memory WHERE tenant = $1 AND execution_id = $2)
DELETE FROM runtime_tool_calls WHERE tenant = $1 AND execution_id = $2
