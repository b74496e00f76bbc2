-- ThoughtRepository.PATCH (dev.cafstate.runtime.repository)
-- parameters: $1 set_content, $2 content, $3 set_reasoning, $4 reasoning, $5 confidence, $6 set_alternatives, $7 alternatives, $8 set_metadata, $9 metadata, $10 tenant, $11 execution, $12 step
UPDATE runtime_thoughts SET
  content = CASE WHEN $1 THEN $2 ELSE content END,
  reasoning = CASE WHEN $3 THEN $4 ELSE reasoning END,
  confidence = COALESCE($5, confidence),
  alternatives = CASE WHEN $6 THEN $7::text::json ELSE alternatives END,
  metadata = CASE WHEN $8 THEN json_merge_patch(metadata, $9::text::json)
    ELSE metadata END
WHERE tenant = $10 AND execution_id = $11 AND id = $12
RETURNING seq, id, type, content, reasoning, confidence, alternatives::text AS alternatives, parent_id,
children::text AS children, metadata::text AS metadata, ts
