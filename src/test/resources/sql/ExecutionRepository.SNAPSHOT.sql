-- ExecutionRepository.SNAPSHOT (dev.cafstate.runtime.repository)
-- parameters: $1 with_chain, $2 with_context, $3 with_tools, $4 tenant, $5 execution
SELECT e.version, e.agent_id, e.agent_name, e.parent_checkpoint_id, e.parent_is_branch,
  e.current_step_id, e.variables::text AS variables, e.last_tool_call_id, e.step_number,
  e.total_steps_estimate, e.iterations_completed, e.tokens_used, e.duration_ms,
  CASE WHEN $1 THEN (SELECT json_agg(t ORDER BY t.seq)::text FROM (
    SELECT seq, id, type, content, reasoning, confidence, alternatives::text AS alternatives, parent_id,
    children::text AS children, metadata::text AS metadata, ts
    FROM runtime_thoughts
    WHERE tenant = e.tenant AND execution_id = e.id) t) END AS thoughts,
  CASE WHEN $2 THEN (SELECT json_agg(m ORDER BY m.seq)::text FROM (
    SELECT seq, role, content, tool_calls::text AS tool_calls, tool_results::text AS tool_results, ts
    FROM runtime_messages WHERE tenant = e.tenant AND execution_id = e.id) m) END AS messages,
  CASE WHEN $2 THEN (SELECT json_agg(k ORDER BY k.seq, k.key)::text FROM (
    SELECT seq, key, value::text AS value, importance, ts
    FROM runtime_memory WHERE tenant = e.tenant AND execution_id = e.id) k) END AS memory,
  CASE WHEN $3 THEN (SELECT json_agg(k ORDER BY k.status_seq, k.seq)::text FROM (
    SELECT seq, status_seq, id, tool_id, arguments::text AS arguments, status, result::text AS result, error, duration_ms, ts, list
    FROM runtime_tool_calls WHERE tenant = e.tenant AND execution_id = e.id) k) END AS tool_calls
FROM executions e WHERE e.tenant = $4 AND e.id = $5
