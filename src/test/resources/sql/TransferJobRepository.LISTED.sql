-- TransferJobRepository.LISTED (dev.cafstate.transfer.job)
-- parameters: $1 token, $2 done, $3 id, $4 owner, $5 keys, $6 sizes, $7 statuses
WITH u AS (
  UPDATE transfer_jobs SET listing_token = $1, listing_done = $2, updated_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint
  WHERE id = $3 AND lease_owner = $4
  RETURNING id)
INSERT INTO transfer_items (job_id, key, size_bytes, status)
SELECT u.id, k.key, k.size, k.status
FROM u, unnest($5::text[], $6::bigint[], $7::text[]) AS k(key, size, status)
ON CONFLICT (job_id, key) DO NOTHING
