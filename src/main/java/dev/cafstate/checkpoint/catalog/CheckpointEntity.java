package dev.cafstate.checkpoint.catalog;

import java.io.Serializable;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.repository.CheckpointRow;
import dev.cafstate.common.security.Tenant;

/**
 * A checkpoint's catalog row (table {@code checkpoints}): where its object is (key, checksums, size), its metadata
 * columns, its parent, and its sequence number within its execution. Written by {@code CheckpointRepository}'s
 * statements; read through {@link CheckpointEntities}.
 */
@Entity
@Table(name = "checkpoints")
@IdClass(CheckpointEntity.Key.class)
public class CheckpointEntity {

    /** The primary key: tenant and id. */
    public static class Key implements Serializable {
        public String tenant;
        public String id;

        public Key() {}

        public Key(String tenant, String id) {
            this.tenant = tenant;
            this.id = id;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(tenant, k.tenant) && Objects.equals(id, k.id);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tenant, id);
        }
    }

    @Id
    public String tenant;

    @Id
    public String id;

    @Column(name = "execution_id", nullable = false)
    public String executionId;

    @Column(name = "agent_id", nullable = false)
    public String agentId;

    @Column(name = "agent_name")
    public String agentName;

    @Column(nullable = false)
    public long ts;

    @Column(name = "checkpoint_reason", nullable = false)
    public String reason;

    @Column(name = "step_number", nullable = false)
    public long stepNumber;

    @Column(name = "total_steps_estimate")
    public Long totalStepsEstimate;

    @Column(name = "tokens_used", nullable = false)
    public long tokensUsed;

    @Column(name = "duration_ms", nullable = false)
    public double durationMs;

    @Column(name = "parent_checkpoint_id")
    public String parentCheckpointId;

    @Column(name = "is_branch", nullable = false)
    public boolean isBranch;

    @Column(name = "branch_reason")
    public String branchReason;

    public String name;

    public String description;

    @Column(name = "object_key", nullable = false)
    public String objectKey;

    @Column(nullable = false)
    public String sha256;

    @Column(name = "content_sha256", nullable = false)
    public String contentSha256;

    @Column(name = "size_bytes", nullable = false)
    public long sizeBytes;

    @Column(name = "schema_version", nullable = false)
    public String schemaVersion;

    /** The whole document, when it is small enough to be kept inline. */
    @Column(columnDefinition = "text")
    public String document;

    @Column(name = "step_count", nullable = false)
    public int stepCount;

    @Column(name = "tool_call_count", nullable = false)
    public int toolCallCount;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "idempotency_request")
    public String idempotencyRequest;

    @Column(name = "origin_cluster")
    public String originCluster;

    /** The checkpoint's sequence number within its execution (the catalog rows' ranges refer to it). */
    @Column(nullable = false)
    public long cseq;

    @Column(name = "created_at", nullable = false)
    public long createdAt;

    /** The row as the services read it. */
    public CheckpointRow toRow() {
        return new CheckpointRow(
                Tenant.of(tenant),
                new CheckpointSummary(
                        id,
                        executionId,
                        agentId,
                        ts,
                        reason,
                        stepNumber,
                        tokensUsed,
                        durationMs,
                        parentCheckpointId,
                        isBranch,
                        name,
                        description,
                        objectKey,
                        sha256,
                        sizeBytes,
                        schemaVersion,
                        new CheckpointSummary.Counts(stepCount, toolCallCount)),
                contentSha256,
                document,
                idempotencyKey,
                idempotencyRequest);
    }
}
