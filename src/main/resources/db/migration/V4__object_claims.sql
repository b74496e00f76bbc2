-- Write claims on checkpoint objects. A writer commits its claim on an object key BEFORE it puts the object, and its
-- final transaction removes the claim (and aborts when the claim is gone). Anything that deletes an object (the
-- orphan reconciler, delete, retention, the cleanup of a failed write) first takes the key's advisory lock, removes
-- claims older than caf.checkpoints.write-claim-timeout, and deletes the object only when neither a checkpoint row
-- nor a live claim points at it, holding the lock until the object is gone. A claim is taken under the same lock, so
-- an object can never be deleted while a write of it is in flight, whatever the orphan grace (issue 10, item 1:
-- the time-based check alone lost 6 of 2,970 acknowledged checkpoints).
CREATE TABLE object_claims (
    object_key   text   NOT NULL,
    claim_id     uuid   NOT NULL,
    tenant       text   NOT NULL,
    created_at   bigint NOT NULL,
    CONSTRAINT object_claims_pk PRIMARY KEY (object_key, claim_id)
);
CREATE INDEX object_claims_by_age ON object_claims (created_at);
