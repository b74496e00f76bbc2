package dev.cafstate.checkpoint.service;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.repository.CatalogRows;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.repository.CheckpointRepository.StoredObjectRef;
import dev.cafstate.checkpoint.repository.CheckpointRow;
import dev.cafstate.checkpoint.repository.ObjectClaimRepository;
import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.checkpoint.storage.CheckpointStorage;
import dev.cafstate.checkpoint.storage.ObjectKeys;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.error.HandedOff;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.PayloadTooLarge;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.metrics.Timings;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.transfer.location.Locations;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * How a checkpoint is stored, whichever way it was made:
 * <ol>
 * <li>the SHA-256 of the document's bytes is taken (what the object holds), and that of its canonical form (what
 * recognises the same content sent again);</li>
 * <li>ONE immutable object is written to S3 under a key made of the tenant, execution, checkpoint id and checksum,
 * with the checksum and schema version in its metadata (S3 down: 503, nothing else written);</li>
 * <li>then ONE PostgreSQL statement writes the checkpoint row (with the document inline when small), its thoughts
 * and tool calls, the execution's pointer, and the {@code agent.checkpoint} event.</li>
 * </ol>
 * A row therefore never points to a missing object. Before the object is put, a write claim on its key is committed;
 * the rows' statement releases it, so no deletion touches the object while the write is in flight
 * ({@link ObjectDeletion}). When the rows cannot be written the object is removed again, unless a row points to it
 * (and if even that cannot be done, the reconciler removes the orphan later). An id that already has its row is
 * answered from the row, without touching S3.
 */
@ApplicationScoped
public class CheckpointWriter {

    private final CheckpointStorage storage;
    private final CheckpointRepository checkpoints;
    private final EventRecorder events;
    private final CafConfig config;
    private final Clock clock;
    private final Timings stages;
    private final ObjectClaimRepository claims;
    private final ObjectDeletion deletion;
    private final ExecutionRepository executions;
    private final Pool executionsPool;
    private final Locations locations;

    public CheckpointWriter(
            CheckpointStorage storage,
            CheckpointRepository checkpoints,
            EventRecorder events,
            CafConfig config,
            Clock clock,
            Timings stages,
            ObjectClaimRepository claims,
            ObjectDeletion deletion,
            ExecutionRepository executions,
            Pool pool,
            Locations locations) {
        this.executions = executions;
        this.executionsPool = pool;
        this.locations = locations;
        this.stages = stages;
        this.claims = claims;
        this.deletion = deletion;
        this.storage = storage;
        this.checkpoints = checkpoints;
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
    public record Stored(CheckpointSummary summary, boolean created) {}

    /**
     * Stores a checked CAF document.
     *
     * @param document the bytes to store and their tree (unknown members of pushed documents are kept)
     * @param idempotency the client's key for retries with its request, or null
     * @throws StateConflict when the id holds a different document
     * @throws PayloadTooLarge when the document is over {@code caf.checkpoints.max-document-bytes}
     */
    public Uni<Stored> store(Tenant tenant, CheckpointDocument document, Idempotency idempotency, ExecutionLink link) {
        return store(tenant, document, idempotency, link, Origin.LOCAL, null);
    }

    /** Where a checkpoint comes from, which decides what it may write and where it goes next. */
    public enum Origin {
        /** Made here by an agent (runtime or push): refused for an execution another cluster writes. */
        LOCAL,
        /** The final checkpoint of a handoff under way: written although the execution is fenced. */
        HANDOFF,
        /** Imported from another cluster: history, never a reason to write the execution or to export it again. */
        IMPORTED
    }

    /**
     * Stores a checked CAF document made here, taken for a handoff, or imported from {@code originCluster}.
     *
     * @throws HandedOff when a local checkpoint is for an execution another cluster writes
     */
    public Uni<Stored> store(
            Tenant tenant,
            CheckpointDocument document,
            Idempotency idempotency,
            ExecutionLink link,
            Origin origin,
            String originCluster) {
        CheckpointRepository.Provenance provenance = new CheckpointRepository.Provenance(
                origin == Origin.IMPORTED ? originCluster : null,
                origin == Origin.LOCAL,
                origin == Origin.IMPORTED ? List.of() : locations.autoExporting(tenant));
        byte[] bytes = document.bytes();
        if (bytes.length > config.checkpoints().maxDocumentBytes()) {
            throw new PayloadTooLarge("the checkpoint document has " + bytes.length + " bytes; the limit is "
                    + config.checkpoints().maxDocumentBytes() + " (caf.checkpoints.max-document-bytes)");
        }
        String id = document.id();
        String executionId = document.executionId();
        String sha256 = CanonicalJson.sha256(bytes);
        String content = CanonicalJson.contentSha256(document.tree());
        String key = storage.key(tenant, executionId, id, sha256);
        if (key.getBytes(StandardCharsets.UTF_8).length > ObjectKeys.MAX_KEY_BYTES) {
            throw InvalidInput.field(
                    "id",
                    "together with execution_id it is too long for an object key (" + ObjectKeys.MAX_KEY_BYTES
                            + " bytes once percent-encoded)");
        }
        CatalogRows rows = CatalogRows.of(document.tree());
        String inline = bytes.length <= config.checkpoints().inlineMaxBytes()
                ? new String(bytes, StandardCharsets.UTF_8)
                : null;
        StoredObjectRef object = new StoredObjectRef(key, sha256, content, bytes.length, inline);
        long now = clock.now();
        if (link == ExecutionLink.RUNTIME) {
            return write(tenant, document, rows, object, idempotency, link, provenance, now); // a new id, made here
        }
        // a checkpoint with this id already there: the same content is a replay (nothing written), other a conflict
        return checkpoints
                .find(tenant, id)
                .flatMap(row -> row != null
                        ? existing(row, id, content, null)
                        : write(tenant, document, rows, object, idempotency, link, provenance, now));
    }

    /**
     * Claims the key, puts the object, then writes the rows in one statement that also releases the claim (and writes
     * nothing when the claim expired meanwhile: its object may have been deleted as a crashed writer's).
     */
    private Uni<Stored> write(
            Tenant tenant,
            CheckpointDocument document,
            CatalogRows rows,
            StoredObjectRef object,
            Idempotency idempotency,
            ExecutionLink link,
            CheckpointRepository.Provenance provenance,
            long now) {
        String id = document.id();
        String key = object.objectKey();
        UUID claim = UUID.randomUUID();
        CheckpointSummary summary = rows.summary(id, object);
        String event = events.json(tenant, now, new CafEvent.AgentCheckpoint(summary.executionId(), summary));
        CheckpointRepository.NewCheckpoint row = new CheckpointRepository.NewCheckpoint(
                id,
                rows,
                object,
                idempotency == null ? null : idempotency.key(),
                idempotency == null ? null : idempotency.requestSha256(),
                claim);
        return claims.claim(key, claim, tenant)
                .flatMap(c -> storage.put(key, document.bytes(), object.sha256(), document.schemaVersion())
                        .flatMap(x -> stages.stage(
                                "rows",
                                () -> checkpoints.insert(
                                        tenant, row, provenance, link == ExecutionLink.RUNTIME, event, now)))
                        .flatMap(outcome -> outcome.fenced() && !outcome.inserted()
                                ? executions.<CheckpointRepository.Inserted>whyNot(
                                        executionsPool, tenant, document.executionId(), null)
                                : Uni.createFrom().item(outcome))
                        .map(outcome -> {
                            if (!outcome.claimHeld()) {
                                throw new DependencyUnavailable(
                                        "the checkpoint write (it took longer than "
                                                + "caf.checkpoints.write-claim-timeout)",
                                        1);
                            }
                            return outcome.inserted() ? new Stored(summary, true) : null;
                        })
                        .onFailure()
                        .call(e -> claims.abandon(key, claim)
                                .onFailure()
                                .recoverWithNull()
                                .flatMap(x -> deletion.deleteQuietly(key))))
                // another request stored this id, or used this idempotency key, between our check and our insert
                .flatMap(stored -> stored != null
                        ? Uni.createFrom().item(stored)
                        : raced(tenant, document.executionId(), id, idempotency, object));
    }

    /**
     * The id existed: the same content is a success (nothing duplicated), other content is a conflict. The object
     * this request wrote ({@code ourKey}, null when none) is removed unless it is the row's own.
     */
    private Uni<Stored> existing(CheckpointRow row, String id, String contentSha256, String ourKey) {
        boolean same = row != null && row.contentSha256().equals(contentSha256);
        Uni<Void> cleanup =
                ourKey == null || (row != null && ourKey.equals(row.summary().objectKey()))
                        ? Uni.createFrom().voidItem()
                        : deletion.deleteQuietly(ourKey);
        return cleanup.map(v -> {
            if (!same) {
                throw new StateConflict("checkpoint '" + id + "' already exists with different content");
            }
            return new Stored(row.summary(), false);
        });
    }

    /**
     * Our insert found its id or its idempotency key taken by a request that committed first: with the same key (and
     * request) the answer is the winner's checkpoint, and the object this request wrote is removed; otherwise the id
     * was taken, which is a replay of the same content or a conflict.
     */
    private Uni<Stored> raced(
            Tenant tenant, String executionId, String id, Idempotency idempotency, StoredObjectRef object) {
        Uni<CheckpointRow> byKey = idempotency == null
                ? Uni.createFrom().nullItem()
                : checkpoints.findByIdempotencyKey(tenant, executionId, idempotency.key());
        return byKey.flatMap(winner -> {
            if (winner == null) {
                return checkpoints
                        .find(tenant, id)
                        .flatMap(row -> existing(row, id, object.contentSha256(), object.objectKey()));
            }
            return deletion.deleteQuietly(object.objectKey()).map(x -> {
                idempotency.sameRequestAs(winner);
                return new Stored(winner.summary(), false);
            });
        });
    }
}
