-- ContextRepository.MESSAGES (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution
SELECT role, content, tool_calls::text AS tool_calls, tool_results::text AS tool_results, ts
FROM runtime_messages WHERE tenant = $1 AND execution_id = $2 ORDER BY seq
