-- CheckpointRepository.LOCK (dev.cafstate.checkpoint.repository)
-- parameters: $1 tenant, $2 execution
SELECT pg_advisory_xact_lock(1129005908, hashtext($1 || '/' || $2))
