-- Leases of background jobs (outbox partitions now; the scheduled maintenance later): one replica runs a job at a
-- time, and a replica that dies or freezes loses its lease when it expires. A table rather than an advisory lock: a
-- session-level lock needs the same server connection throughout, which PgBouncer in transaction mode does not give.
CREATE TABLE job_leases (
    job          text   NOT NULL,
    owner        text   NOT NULL,
    until_ms     bigint NOT NULL,
    CONSTRAINT job_leases_pk PRIMARY KEY (job)
);
