-- ThoughtRepository.ALL (dev.cafstate.runtime.repository)
-- parameters: $1 tenant, $2 execution
SELECT id, type, content, reasoning, confidence, alternatives::text AS alternatives, parent_id,
children::text AS children, metadata::text AS metadata, ts FROM runtime_thoughts WHERE tenant = $1 AND execution_id = $2 ORDER BY seq
