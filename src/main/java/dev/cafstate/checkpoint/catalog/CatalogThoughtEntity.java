package dev.cafstate.checkpoint.catalog;

import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import org.hibernate.annotations.Formula;

import dev.cafstate.caf.Alternative;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.common.json.Json;

/**
 * A thought of the catalog (table {@code catalog_thoughts}): one version of a step at its position in an execution,
 * contained in the execution's checkpoints {@code fromCseq} through {@code toCseq} (null: up to the newest). Its
 * free-form members are JSON text as written ({@code json}; {@code jsonb} for the children's ids).
 */
@Entity
@Table(name = "catalog_thoughts")
@IdClass(CatalogRowKey.class)
public class CatalogThoughtEntity {

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

    /** SHA-256 of the row's content, as the writer compares it; null for rows carried over by migration V13. */
    public byte[] hash;

    @Column(nullable = false)
    public String id;

    @Column(nullable = false)
    public String type;

    @Column(nullable = false, columnDefinition = "text")
    public String content;

    @Column(columnDefinition = "text")
    public String reasoning;

    @Column(nullable = false)
    public double confidence;

    @Column(name = "parent_id")
    public String parentId;

    @Formula("children_json::text")
    public String childrenJson;

    @Formula("alternatives_json::text")
    public String alternativesJson;

    @Formula("metadata_json::text")
    public String metadataJson;

    @Column(name = "created_at", nullable = false)
    public long createdAt;

    /** The step as CAF shapes it. */
    public ThoughtStep toStep(Json json) {
        List<String> children = new ArrayList<>();
        json.read(childrenJson).forEach(child -> children.add(child.asText()));
        return new ThoughtStep(
                id,
                ThoughtType.of(type),
                content,
                reasoning,
                confidence,
                alternativesJson == null ? null : List.of(json.read(alternativesJson, Alternative[].class)),
                parentId,
                children,
                json.readObject(metadataJson),
                createdAt);
    }
}
