-- TransferJobRepository.PAUSE (dev.cafstate.transfer.job)
-- parameters: $1 wait_ms, $2 error, $3 id, $4 owner
UPDATE transfer_jobs SET lease_owner = NULL, lease_until = (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $1, error = $2
WHERE id = $3 AND lease_owner = $4
