-- ExecutionRepository.SNAPSHOT (dev.cafstate.runtime.repository)
-- parameters: $1 with_chain, $2 with_context, $3 with_tools, $4 tenant, $5 execution
SELECT e.version, e.agent_id, e.agent_name, e.parent_checkpoint_id, e.parent_is_branch,
  e.current_step_id, e.variables::text AS variables, e.last_tool_call_id, e.step_number,
  e.total_steps_estimate, e.iterations_completed, e.tokens_used, e.duration_ms, e.owner_cluster,
  e.handoff_id::text AS handoff_id,
  t.*, m.*, k.*, c.*
FROM executions e
  LEFT JOIN LATERAL (SELECT array_agg(id ORDER BY seq) AS t_id,
  array_agg(type ORDER BY seq) AS t_type,
  array_agg(content ORDER BY seq) AS t_content,
  array_agg(reasoning ORDER BY seq) AS t_reasoning,
  array_agg(confidence ORDER BY seq) AS t_confidence,
  array_agg(alternatives::text ORDER BY seq) AS t_alternatives,
  array_agg(parent_id ORDER BY seq) AS t_parent_id,
  array_agg(children::text ORDER BY seq) AS t_children,
  array_agg(metadata::text ORDER BY seq) AS t_metadata,
  array_agg(ts ORDER BY seq) AS t_ts
FROM runtime_thoughts WHERE tenant = e.tenant AND execution_id = e.id AND $1) t ON true
  LEFT JOIN LATERAL (SELECT array_agg(role ORDER BY seq) AS m_role,
  array_agg(content ORDER BY seq) AS m_content,
  array_agg(tool_calls::text ORDER BY seq) AS m_tool_calls,
  array_agg(tool_results::text ORDER BY seq) AS m_tool_results,
  array_agg(ts ORDER BY seq) AS m_ts
FROM runtime_messages WHERE tenant = e.tenant AND execution_id = e.id AND $2) m ON true
  LEFT JOIN LATERAL (SELECT array_agg(key ORDER BY seq, key) AS k_key,
  array_agg(value::text ORDER BY seq, key) AS k_value,
  array_agg(importance ORDER BY seq, key) AS k_importance,
  array_agg(ts ORDER BY seq, key) AS k_ts
FROM runtime_memory WHERE tenant = e.tenant AND execution_id = e.id AND $2) k ON true
  LEFT JOIN LATERAL (SELECT array_agg(id ORDER BY status_seq, seq) AS c_id,
  array_agg(tool_id ORDER BY status_seq, seq) AS c_tool_id,
  array_agg(arguments::text ORDER BY status_seq, seq) AS c_arguments,
  array_agg(status ORDER BY status_seq, seq) AS c_status,
  array_agg(result::text ORDER BY status_seq, seq) AS c_result,
  array_agg(error ORDER BY status_seq, seq) AS c_error,
  array_agg(duration_ms ORDER BY status_seq, seq) AS c_duration_ms,
  array_agg(ts ORDER BY status_seq, seq) AS c_ts,
  array_agg(list ORDER BY status_seq, seq) AS c_list
FROM runtime_tool_calls WHERE tenant = e.tenant AND execution_id = e.id AND $3) c ON true
WHERE e.tenant = $4 AND e.id = $5
