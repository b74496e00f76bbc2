-- TransferJobRepository.RENEW (dev.cafstate.transfer.job)
-- parameters: $1 lease_ms, $2 id, $3 owner
UPDATE transfer_jobs SET lease_until = (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $1
WHERE id = $2 AND lease_owner = $3 AND status = 'running'
RETURNING 1
