-- TransferJobRepository.CREATE (dev.cafstate.transfer.job)
-- parameters: $1 id, $2 tenant, $3 kind, $4 location, $5 source, $6 request, $7 dry_run, $8 resume, $9 handoff_id, $10 listing_done, $11 now, $12 keys, $13 checkpoint_ids, $14 sha256s, $15 sizes, $16 statuses, $17 metas
WITH j AS (
  INSERT INTO transfer_jobs (id, tenant, kind, location, source, status, request, dry_run, resume,
    handoff_id, listing_done, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, 'queued', $6::text::json, $7, $8,
    $9, $10, $11, $11)
  ON CONFLICT (id) DO NOTHING
  RETURNING id),
i AS (
  INSERT INTO transfer_items (job_id, key, checkpoint_id, sha256, size_bytes, status, meta)
  SELECT j.id, u.key, u.checkpoint_id, u.sha256, u.size_bytes, u.status, u.meta::json
  FROM j, unnest($12::text[], $13::text[], $14::text[], $15::bigint[],
    $16::text[], $17::text[]) AS u(key, checkpoint_id, sha256, size_bytes, status, meta)
  ON CONFLICT (job_id, key) DO NOTHING)
SELECT count(*) AS created FROM j
