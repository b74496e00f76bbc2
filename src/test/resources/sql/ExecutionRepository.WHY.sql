-- ExecutionRepository.WHY (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution
SELECT e.status, e.version, e.epoch, e.owner_cluster, e.handoff_id::text AS handoff_id, h.location,
  h.target_cluster, h.final_checkpoint_id, h.state AS handoff_state
FROM executions e LEFT JOIN LATERAL (SELECT location, target_cluster, final_checkpoint_id, state FROM handoffs
WHERE tenant = e.tenant AND execution_id = e.id ORDER BY created_at DESC LIMIT 1) h ON true
WHERE e.tenant = $1 AND e.id = $2
