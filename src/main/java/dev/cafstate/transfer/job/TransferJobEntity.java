package dev.cafstate.transfer.job;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Formula;

import dev.cafstate.common.security.Tenant;

/**
 * A transfer job (table {@code transfer_jobs}), read as an entity; written by {@link TransferJobRepository}'s
 * statements (leases and counts are updated in single statements with conditions on the lease holder).
 */
@Entity
@Table(name = "transfer_jobs")
public class TransferJobEntity {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String tenant;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String location;

    @Column(nullable = false)
    public String source;

    @Column(nullable = false)
    public String status;

    /** The request as JSON text (the column is {@code json}; read as text). */
    @Formula("request::text")
    public String request;

    @Column(name = "dry_run", nullable = false)
    public boolean dryRun;

    @Column(nullable = false)
    public boolean resume;

    @Column(name = "handoff_id")
    public UUID handoffId;

    @Column(name = "listing_token", columnDefinition = "text")
    public String listingToken;

    @Column(name = "listing_done", nullable = false)
    public boolean listingDone;

    @Formula("result::text")
    public String result;

    @Column(columnDefinition = "text")
    public String error;

    @Column(name = "created_at", nullable = false)
    public long createdAt;

    @Column(name = "updated_at", nullable = false)
    public long updatedAt;

    @Column(name = "finished_at")
    public Long finishedAt;

    @Column(name = "lease_owner")
    public String leaseOwner;

    @Column(name = "lease_until")
    public Long leaseUntil;

    public TransferJob toJob() {
        return new TransferJob(
                id,
                Tenant.of(tenant),
                kind,
                location,
                source,
                status,
                request,
                dryRun,
                resume,
                handoffId,
                listingToken,
                listingDone,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt);
    }
}
