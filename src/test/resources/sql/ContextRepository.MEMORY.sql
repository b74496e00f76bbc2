-- ContextRepository.MEMORY (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution
SELECT key, value::text AS value, importance, ts
FROM runtime_memory WHERE tenant = $1 AND execution_id = $2 ORDER BY seq, key
