-- TransferJobRepository.EXPAND (dev.cafstate.transfer.job)
-- parameters: $1 id, $2 keys, $3 checkpoint_ids, $4 sha256s, $5 sizes, $6 metas
INSERT INTO transfer_items (job_id, key, checkpoint_id, sha256, size_bytes, status, meta)
SELECT $1, u.key, u.checkpoint_id, u.sha256, u.size_bytes, 'pending', u.meta::json
FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
  AS u(key, checkpoint_id, sha256, size_bytes, meta)
ON CONFLICT (job_id, key) DO UPDATE SET status = 'pending', checkpoint_id = EXCLUDED.checkpoint_id,
  sha256 = EXCLUDED.sha256, size_bytes = EXCLUDED.size_bytes, meta = EXCLUDED.meta
WHERE transfer_items.status = 'listed'
