-- ExecutionRepository.HEAD (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution
SELECT version, agent_id, agent_name, parent_checkpoint_id, parent_is_branch, current_step_id,
  variables::text AS variables, last_tool_call_id, step_number, total_steps_estimate,
  iterations_completed, tokens_used, duration_ms, owner_cluster, handoff_id::text AS handoff_id
FROM executions WHERE tenant = $1 AND id = $2
