-- CheckpointRepository.OPEN_ROWS (dev.cafstate.checkpoint.repository)
-- parameters: $1 tenant, $2 execution
SELECT 't' AS part, seq, id, hash FROM catalog_thoughts
  WHERE tenant = $1 AND execution_id = $2 AND to_cseq IS NULL
UNION ALL
SELECT 'k', seq, id, hash FROM catalog_tool_calls
  WHERE tenant = $1 AND execution_id = $2 AND to_cseq IS NULL
UNION ALL
SELECT 'n', COALESCE(max(cseq), 0), NULL, NULL FROM checkpoints
  WHERE tenant = $1 AND execution_id = $2
