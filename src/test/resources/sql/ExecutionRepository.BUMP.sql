-- ExecutionRepository.BUMP (dev.cafstate.runtime.repository)
-- parameters: $1 now, $2 tenant, $3 execution, $4 expected
UPDATE executions SET version = version + 1, updated_at = $1
WHERE tenant = $2 AND id = $3 AND status IN ('pending', 'running', 'paused') AND owner_cluster IS NULL AND handoff_id IS NULL
  AND ($4::bigint[] IS NULL OR version = ANY($4))
RETURNING version
