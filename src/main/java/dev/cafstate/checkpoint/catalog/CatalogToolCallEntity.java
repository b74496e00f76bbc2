package dev.cafstate.checkpoint.catalog;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import org.hibernate.annotations.Formula;

import dev.cafstate.checkpoint.api.CheckpointToolCallView;
import dev.cafstate.common.json.Json;

/**
 * A finished tool call of the catalog (table {@code catalog_tool_calls}): one version of a call at its position in an
 * execution, contained in the execution's checkpoints {@code fromCseq} through {@code toCseq} (null: up to the
 * newest).
 */
@Entity
@Table(name = "catalog_tool_calls")
@IdClass(CatalogRowKey.class)
public class CatalogToolCallEntity {

    @Id
    public String tenant;

    @Id
    @Column(name = "execution_id")
    public String executionId;

    @Id
    public int seq;

    @Id
    @Column(name = "from_cseq")
    public long fromCseq;

    @Column(name = "to_cseq")
    public Long toCseq;

    public byte[] hash;

    @Column(nullable = false)
    public String id;

    @Column(name = "tool_id", nullable = false)
    public String toolId;

    @Column(nullable = false)
    public String status;

    @Formula("arguments_json::text")
    public String argumentsJson;

    @Formula("result_json::text")
    public String resultJson;

    @Column(columnDefinition = "text")
    public String error;

    @Column(name = "duration_ms")
    public Double durationMs;

    @Column(nullable = false)
    public long ts;

    public CheckpointToolCallView toView(Json json) {
        return new CheckpointToolCallView(
                id, toolId, status, json.read(argumentsJson), json.read(resultJson), error, durationMs, ts);
    }
}
