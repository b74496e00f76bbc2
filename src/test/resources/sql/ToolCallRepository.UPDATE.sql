-- ToolCallRepository.UPDATE (dev.cafstate.runtime.repository)
-- parameters: $1 status, $2 result, $3 error, $4 duration_ms, $5 tool_id, $6 arguments, $7 version, $8 list, $9 tenant, $10 execution, $11 call
UPDATE runtime_tool_calls SET status = $1, result = $2::text::json, error = $3,
  duration_ms = $4, tool_id = $5, arguments = $6::text::json,
  status_seq = $7, list = $8
WHERE tenant = $9 AND execution_id = $10 AND id = $11
