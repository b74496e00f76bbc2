-- TransferJobRepository.CLAIM (dev.cafstate.transfer.job)
-- parameters: $1 owner, $2 lease_ms
UPDATE transfer_jobs SET status = 'running', lease_owner = $1,
  lease_until = (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $2, updated_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint
WHERE id = (
  SELECT id FROM transfer_jobs
  WHERE status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
  ORDER BY created_at LIMIT 1
  FOR UPDATE SKIP LOCKED)
RETURNING id::text AS id, tenant, kind, location, source, status, request::text AS request, dry_run, resume,
handoff_id::text AS handoff_id,
listing_token, listing_done, result::text AS result, error, created_at, updated_at, finished_at
