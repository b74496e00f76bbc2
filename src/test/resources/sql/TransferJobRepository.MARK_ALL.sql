-- TransferJobRepository.MARK_ALL (dev.cafstate.transfer.job)
-- parameters: $1 seqs, $2 statuses, $3 reasons, $4 checkpoint_ids, $5 id, $6 owner
UPDATE transfer_items i SET status = u.status, reason = u.reason,
  checkpoint_id = COALESCE(u.checkpoint_id, i.checkpoint_id)
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
  AS u(seq, status, reason, checkpoint_id)
WHERE i.job_id = $5 AND i.seq = u.seq
  AND EXISTS (SELECT 1 FROM transfer_jobs j WHERE j.id = $5 AND j.lease_owner = $6)
