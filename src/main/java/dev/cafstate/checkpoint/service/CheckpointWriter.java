package dev.cafstate.checkpoint.service;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.repository.CheckpointRow;
import dev.cafstate.checkpoint.repository.ObjectClaimRepository;
import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.checkpoint.storage.CheckpointStorage;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.error.PayloadTooLarge;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.metrics.Timings;
import dev.cafstate.events.CloudEvents;
import dev.cafstate.events.EventTypes;
import dev.cafstate.events.Outbox;
import dev.cafstate.runtime.service.Clock;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * How a checkpoint is stored, whichever way it was made:
 * <ol>
 * <li>the document becomes canonical JSON (members sorted) and its SHA-256 is taken;</li>
 * <li>ONE immutable object is written to S3 under a key made of the tenant, execution, checkpoint id and checksum,
 * with the checksum and schema version in its metadata (S3 down: 503, nothing else written);</li>
 * <li>then ONE PostgreSQL transaction writes the checkpoint row (with the document inline when small), its thoughts
 * and tool calls, the execution's pointer, and the {@code agent.checkpoint} event.</li>
 * </ol>
 * A row therefore never points to a missing object. Before the object is put, a write claim on its key is committed;
 * the rows' transaction releases it, so no deletion touches the object while the write is in flight
 * ({@link ObjectDeletion}). When the rows cannot be written the object is removed again, unless a row points to it
 * (and if even that cannot be done, the reconciler removes the orphan later). An id that already has its row is
 * answered from the row, without touching S3.
 */
@ApplicationScoped
public class CheckpointWriter {

    private final Pool pool;
    private final CheckpointStorage storage;
    private final CheckpointRepository checkpoints;
    private final Outbox outbox;
    private final CloudEvents events;
    private final CafConfig config;
    private final Clock clock;
    private final Timings stages;
    private final ObjectClaimRepository claims;
    private final ObjectDeletion deletion;

    public CheckpointWriter(Pool pool, CheckpointStorage storage, CheckpointRepository checkpoints, Outbox outbox,
            CloudEvents events, CafConfig config, Clock clock, Timings stages, ObjectClaimRepository claims,
            ObjectDeletion deletion) {
        this.stages = stages;
        this.claims = claims;
        this.deletion = deletion;
        this.pool = pool;
        this.storage = storage;
        this.checkpoints = checkpoints;
        this.outbox = outbox;
        this.events = events;
        this.config = config;
        this.clock = clock;
    }

    /** What the execution row gets when the checkpoint is written. */
    public enum ExecutionLink {
        /** Taken from the runtime: point the execution at it and consume its restore/fork parent. */
        RUNTIME,
        /** Pushed by an agent: create the execution record when missing and point it at the checkpoint. */
        PUSHED
    }

    /** The outcome: the summary and whether this call created it (false: the same document was already there). */
    public record Stored(CheckpointSummary summary, boolean created) {
    }

    /**
     * Stores a validated CAF document.
     *
     * @param document the document as a JSON tree (unknown members of pushed documents are kept)
     * @param idempotencyKey the client's key for retries, or null
     * @throws StateConflict when the id holds a different document
     * @throws PayloadTooLarge when the document is over {@code caf.checkpoints.max-document-bytes}
     */
    public Uni<Stored> store(String tenant, ObjectNode document, String idempotencyKey, ExecutionLink link) {
        byte[] bytes = CanonicalJson.bytes(document);
        if (bytes.length > config.checkpoints().maxDocumentBytes()) {
            throw new PayloadTooLarge("the checkpoint document has " + bytes.length + " bytes; the limit is "
                    + config.checkpoints().maxDocumentBytes());
        }
        String sha256 = CanonicalJson.sha256(bytes);
        String id = document.get("id").asText();
        String executionId = document.get("execution_id").asText();
        String key = storage.key(tenant, executionId, id, sha256);
        String text = new String(bytes, StandardCharsets.UTF_8);
        String inline = bytes.length <= config.checkpoints().inlineMaxBytes() ? text : null;
        long now = clock.now();

        // a checkpoint with this id already there: the same bytes are a replay (nothing written), others a conflict
        return checkpoints.find(tenant, id).flatMap(row -> row != null ? existing(row, id, sha256, null)
                : write(tenant, document, idempotencyKey, link, bytes, sha256, key, text, inline, now))
                .onFailure(PgException.class).recoverWithUni(e -> idempotencyRace((PgException) e, tenant,
                        executionId, idempotencyKey));
    }

    /**
     * Claims the key, puts the object, then writes the rows in one transaction that also releases the claim (and
     * aborts when the claim expired meanwhile: its object may have been deleted as a crashed writer's).
     */
    private Uni<Stored> write(String tenant, ObjectNode document, String idempotencyKey, ExecutionLink link,
            byte[] bytes, String sha256, String key, String text, String inline, long now) {
        String id = document.get("id").asText();
        UUID claim = UUID.randomUUID();
        return claims.claim(key, claim, tenant)
                .flatMap(c -> storage.put(key, bytes, sha256, document.get("version").asText())
                        .flatMap(x -> stages.stage("rows", () -> pool.withTransaction(conn -> claims
                                .release(conn, key, claim)
                                .flatMap(held -> {
                                    if (!held) {
                                        throw new DependencyUnavailable("the checkpoint write (it took longer than "
                                                + "caf.checkpoints.write-claim-timeout)", 1);
                                    }
                                    return checkpoints.insert(conn, tenant, id, key, sha256, text, bytes.length,
                                            inline, idempotencyKey, now);
                                })
                                .flatMap(written -> written == null ? Uni.createFrom().item((Stored) null)
                                        : link(conn, tenant, document, id, now, link)
                                                .flatMap(v -> announce(conn, tenant, written.summary(), now))
                                                .replaceWith(new Stored(written.summary(), true))))))
                        .onFailure().call(e -> claims.abandon(key, claim).onFailure().recoverWithNull()
                                .flatMap(x -> deletion.deleteQuietly(key))))
                // another request stored this id between our check and our insert
                .flatMap(stored -> stored != null ? Uni.createFrom().item(stored)
                        : checkpoints.find(tenant, id).flatMap(winner -> existing(winner, id, sha256, key)));
    }

    /**
     * The id existed: the same document is a success (nothing duplicated), another document is a conflict, after
     * removing the object this request wrote ({@code ourKey}, null when none: a different document has another key).
     */
    private Uni<Stored> existing(CheckpointRow row, String id, String sha256, String ourKey) {
        if (row != null && row.summary().sha256().equals(sha256)) {
            return Uni.createFrom().item(new Stored(row.summary(), false));
        }
        Uni<Void> cleanup = ourKey == null ? Uni.createFrom().voidItem() : deletion.deleteQuietly(ourKey);
        return cleanup.map(v -> {
            throw new StateConflict("checkpoint '" + id + "' already exists with different content");
        });
    }

    /** Two requests with one idempotency key raced: the loser answers with the winner's checkpoint. */
    private Uni<Stored> idempotencyRace(PgException e, String tenant, String executionId, String idempotencyKey) {
        if (idempotencyKey == null || !"23505".equals(e.getSqlState())) {
            return Uni.createFrom().failure(e);
        }
        return checkpoints.findByIdempotencyKey(tenant, executionId, idempotencyKey)
                .map(row -> {
                    if (row == null) {
                        throw e;
                    }
                    return new Stored(row.summary(), false);
                });
    }

    private Uni<Void> link(SqlConnection conn, String tenant, JsonNode document, String id, long now,
            ExecutionLink link) {
        String executionId = document.get("execution_id").asText();
        if (link == ExecutionLink.RUNTIME) {
            return conn.preparedQuery("""
                    UPDATE executions SET current_checkpoint_id = $3, parent_checkpoint_id = NULL,
                      parent_is_branch = false, updated_at = $4
                    WHERE tenant = $1 AND id = $2""")
                    .execute(Tuple.of(tenant, executionId, id, now)).replaceWithVoid();
        }
        JsonNode metadata = document.get("metadata");
        return conn.preparedQuery("""
                INSERT INTO executions (tenant, id, agent_id, agent_name, status, started_at, updated_at,
                  current_checkpoint_id)
                VALUES ($1, $2, $3, $4, 'running', $5, $6, $7)
                ON CONFLICT (tenant, id) DO UPDATE SET current_checkpoint_id = EXCLUDED.current_checkpoint_id,
                  updated_at = EXCLUDED.updated_at""")
                .execute(Tuple.from(new Object[] { tenant, executionId, document.get("agent_id").asText(),
                        metadata.hasNonNull("agent_name") ? metadata.get("agent_name").asText() : null,
                        document.get("timestamp").asLong(), now, id }))
                .replaceWithVoid();
    }

    private Uni<Void> announce(SqlConnection conn, String tenant, CheckpointSummary summary, long now) {
        return outbox.emit(conn, tenant, summary.executionId(), events.batch(events.event(tenant,
                summary.executionId(), EventTypes.AGENT_CHECKPOINT, now, "checkpoint", summary)), now);
    }
}
