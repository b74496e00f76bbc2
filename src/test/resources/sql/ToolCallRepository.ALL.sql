-- ToolCallRepository.ALL (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution
SELECT id, tool_id, arguments::text AS arguments, status, result::text AS result, error, duration_ms, ts, list FROM runtime_tool_calls WHERE tenant = $1 AND execution_id = $2 ORDER BY status_seq, seq
