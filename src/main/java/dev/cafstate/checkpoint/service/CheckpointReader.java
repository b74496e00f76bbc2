package dev.cafstate.checkpoint.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ThoughtType;
import dev.cafstate.checkpoint.api.CheckpointDiffView;
import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.api.CheckpointToolCallView;
import dev.cafstate.checkpoint.catalog.CatalogRowEntities;
import dev.cafstate.checkpoint.catalog.CheckpointEntities;
import dev.cafstate.checkpoint.repository.CheckpointQuery;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.repository.CheckpointRow;
import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.checkpoint.storage.CheckpointStorage;
import dev.cafstate.common.error.IntegrityFailure;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.paging.Cursors;
import dev.cafstate.common.paging.Page;
import dev.cafstate.common.paging.Sequenced;
import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;

/** Reading checkpoints: summaries, the query, normalized rows, the verified document, and diffs. */
@ApplicationScoped
public class CheckpointReader {

    private final CheckpointRepository checkpoints;
    private final CheckpointEntities entities;
    private final CatalogRowEntities.Thoughts thoughts;
    private final CatalogRowEntities.ToolCalls toolCalls;
    private final Json json;
    private final CheckpointStorage storage;
    private final ObjectMapper mapper;

    public CheckpointReader(
            CheckpointRepository checkpoints,
            CheckpointEntities entities,
            CatalogRowEntities.Thoughts thoughts,
            CatalogRowEntities.ToolCalls toolCalls,
            CheckpointStorage storage,
            ObjectMapper mapper,
            Json json) {
        this.checkpoints = checkpoints;
        this.entities = entities;
        this.thoughts = thoughts;
        this.toolCalls = toolCalls;
        this.json = json;
        this.storage = storage;
        this.mapper = mapper;
    }

    /** The row, read as its entity, or 404 (also for another tenant's). */
    public Uni<CheckpointRow> row(Tenant tenant, String id) {
        return entities.find(tenant, id).map(entity -> {
            if (entity == null) {
                throw new ResourceNotFound("checkpoint '" + id + "' does not exist");
            }
            return entity.toRow();
        });
    }

    public Uni<CheckpointSummary> summary(Tenant tenant, String id) {
        return row(tenant, id).map(CheckpointRow::summary);
    }

    /**
     * The stored document's exact bytes, from the inline copy or the object, after checking their SHA-256 against
     * the recorded one.
     *
     * @throws IntegrityFailure when the bytes do not match (tampered or truncated)
     */
    public Uni<byte[]> document(CheckpointRow row) {
        Uni<byte[]> bytes = row.inlineDocument() != null
                ? Uni.createFrom().item(row.inlineDocument().getBytes(StandardCharsets.UTF_8))
                : storage.get(row.summary().objectKey());
        return bytes.map(b -> {
            if (!CanonicalJson.sha256(b).equals(row.summary().sha256())) {
                throw new IntegrityFailure("checkpoint '" + row.summary().id()
                        + "' failed its checksum: the stored document was altered or truncated");
            }
            return b;
        });
    }

    /** The verified document as a JSON tree. */
    public Uni<JsonNode> tree(CheckpointRow row) {
        return document(row).map(b -> {
            try {
                return mapper.readTree(b);
            } catch (IOException e) {
                throw new IntegrityFailure("checkpoint '" + row.summary().id() + "' is not readable JSON");
            }
        });
    }

    /** Checkpoints matching the query, newest first, a page at a time. */
    public Uni<Page<CheckpointSummary>> query(Tenant tenant, CheckpointQuery query, String cursor, int limit) {
        Cursors.Keyset after = Cursors.keyset(cursor);
        return checkpoints
                .query(
                        tenant,
                        query,
                        after == null ? null : after.timestamp(),
                        after == null ? null : after.id(),
                        limit + 1)
                .map(rows -> Page.of(rows, limit, last -> Cursors.keyset(last.timestamp(), last.id())));
    }

    public Uni<Page<ThoughtStep>> thoughts(
            Tenant tenant, String id, ThoughtType type, Double min, Double max, String cursor, int limit) {
        long after = Cursors.number(cursor);
        return row(tenant, id)
                .flatMap(r -> thoughts.ofCheckpoint(
                        tenant, id, type == null ? null : type.wire(), min, max, after, limit + 1))
                .map(rows -> Cursors.bySeq(
                        rows.stream()
                                .map(t -> new Sequenced<>(t.seq, t.toStep(json)))
                                .toList(),
                        limit));
    }

    public Uni<Page<CheckpointToolCallView>> toolCalls(
            Tenant tenant, String id, String toolId, String status, String cursor, int limit) {
        long after = Cursors.number(cursor);
        return row(tenant, id)
                .flatMap(r -> toolCalls.ofCheckpoint(tenant, id, toolId, status, after, limit + 1))
                .map(rows -> Cursors.bySeq(
                        rows.stream()
                                .map(k -> new Sequenced<>(k.seq, k.toView(json)))
                                .toList(),
                        limit));
    }

    /**
     * What changed from checkpoint {@code against} to checkpoint {@code id}, in CAF's diff shape: member paths with
     * {@code before}/{@code after} (lists of steps, tool calls and messages are reported as added ids or a length
     * change instead of item by item), plus the ids of thoughts and tool calls that are new.
     */
    public Uni<CheckpointDiffView> diff(Tenant tenant, String id, String against) {
        return row(tenant, id)
                .flatMap(later -> row(tenant, against)
                        .flatMap(earlier -> tree(earlier)
                                .flatMap(before ->
                                        tree(later).map(after -> CheckpointDiffer.diff(against, before, after)))));
    }
}
