-- TransferJobRepository.NOTIFY (dev.cafstate.transfer.job)
-- parameters: $1 id, $2 tenant, $3 location, $4 now, $5 key
WITH j AS (
  INSERT INTO transfer_jobs (id, tenant, kind, location, source, status, request, created_at, updated_at,
    listing_done)
  VALUES ($1, $2, 'import', $3, 'notification', 'queued', '{"keys":[]}', $4, $4, true)
  ON CONFLICT (location, tenant) WHERE source = 'notification' AND status = 'queued'
  DO UPDATE SET updated_at = EXCLUDED.updated_at
  RETURNING id)
INSERT INTO transfer_items (job_id, key, status)
SELECT j.id, $5, 'pending' FROM j
ON CONFLICT (job_id, key) DO NOTHING
