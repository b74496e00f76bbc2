-- The request an Idempotency-Key was first used with (SHA-256 of its canonical body), so a retry with the same key
-- and the same request gets the first checkpoint, and the same key with another request is refused (issue 10).
ALTER TABLE checkpoints ADD COLUMN idempotency_request text;
