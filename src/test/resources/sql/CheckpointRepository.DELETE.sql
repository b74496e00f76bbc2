-- CheckpointRepository.DELETE (dev.cafstate.checkpoint.repository)
-- parameters: $1 tenant, $2 id
WITH d AS (
  DELETE FROM checkpoints WHERE tenant = $1 AND id = $2
  RETURNING execution_id, cseq, object_key),
t AS (
  DELETE FROM catalog_thoughts t USING d
  WHERE t.tenant = $1 AND t.execution_id = d.execution_id
    AND t.from_cseq <= d.cseq AND (t.to_cseq IS NULL OR t.to_cseq >= d.cseq)
    AND NOT EXISTS (SELECT 1 FROM checkpoints o WHERE o.tenant = $1 AND o.execution_id = d.execution_id
      AND o.id <> $2 AND o.cseq >= t.from_cseq AND (t.to_cseq IS NULL OR o.cseq <= t.to_cseq))),
k AS (
  DELETE FROM catalog_tool_calls k USING d
  WHERE k.tenant = $1 AND k.execution_id = d.execution_id
    AND k.from_cseq <= d.cseq AND (k.to_cseq IS NULL OR k.to_cseq >= d.cseq)
    AND NOT EXISTS (SELECT 1 FROM checkpoints o WHERE o.tenant = $1 AND o.execution_id = d.execution_id
      AND o.id <> $2 AND o.cseq >= k.from_cseq AND (k.to_cseq IS NULL OR o.cseq <= k.to_cseq)))
SELECT object_key FROM d
