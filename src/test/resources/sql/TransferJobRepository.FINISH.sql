-- TransferJobRepository.FINISH (dev.cafstate.transfer.job)
-- parameters: $1 status, $2 result, $3 error, $4 id, $5 owner
UPDATE transfer_jobs SET status = $1, result = $2::text::json, error = $3,
  finished_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint, updated_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint, lease_owner = NULL, lease_until = NULL
WHERE id = $4 AND lease_owner = $5
RETURNING 1
