package dev.cafstate.transfer.handoff;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.repository.CheckpointQuery;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.repository.CheckpointRow;
import dev.cafstate.checkpoint.service.CheckpointReader;
import dev.cafstate.checkpoint.service.CheckpointService;
import dev.cafstate.checkpoint.service.RestoreService;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.api.ExecutionStatus;
import dev.cafstate.runtime.repository.ExecutionRepository;
import dev.cafstate.transfer.api.HandoffRequest;
import dev.cafstate.transfer.job.Manifest;
import dev.cafstate.transfer.job.TransferJobRepository;
import dev.cafstate.transfer.job.TransferService;
import dev.cafstate.transfer.location.Location;
import dev.cafstate.transfer.location.LocationStore;
import dev.cafstate.transfer.location.Locations;
import dev.cafstate.transfer.location.TransferKeys;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Live handoff of a running execution to another cluster, on both sides.
 * <p>
 * <b>Source.</b> {@link #start} fences the execution (paused; every write refused with a 409 that names the
 * location, target and checkpoint) and records the handoff at the next epoch. The worker ({@link #advance}) takes the
 * final checkpoint, exports it with the execution's checkpoints and lineage, and waits for the target's
 * acknowledgement in the location; on it, the execution is the target's (kept here as history). Without it past
 * {@code expires_at} plus the allowed clock skew, an operator may {@link #abort}: the source writes an abort marker,
 * checks once more that no acknowledgement came, and writes the execution again.
 * <p>
 * <b>Target.</b> {@link #receive} takes the execution over only if this cluster is the named target, holds a lower
 * epoch, the handoff is still that skew away from expiring and not aborted: it writes its acknowledgement first (a
 * conditional create where the store supports it), then restores the final checkpoint under the same id at the new
 * epoch. Once the acknowledgement exists the target always takes over (a retry after a crash goes on from there), and
 * the source never aborts; before it, the source may abort and the target never takes over. Tool calls that were
 * pending or running are reported as in doubt, never re-run.
 */
@ApplicationScoped
public class HandoffService {

    private final HandoffRepository handoffs;
    private final HandoffEntities entities;
    private final ExecutionRepository executions;
    private final CheckpointRepository checkpoints;
    private final CheckpointService checkpointService;
    private final CheckpointReader reader;
    private final RestoreService restore;
    private final TransferService transfers;
    private final TransferJobRepository jobs;
    private final EventRecorder events;
    private final Locations locations;
    private final LocationStore store;
    private final Pool pool;
    private final Json json;
    private final Clock clock;
    private final CafConfig config;

    public HandoffService(
            HandoffRepository handoffs,
            HandoffEntities entities,
            ExecutionRepository executions,
            CheckpointRepository checkpoints,
            CheckpointService checkpointService,
            CheckpointReader reader,
            RestoreService restore,
            TransferService transfers,
            TransferJobRepository jobs,
            EventRecorder events,
            Locations locations,
            LocationStore store,
            Pool pool,
            Json json,
            Clock clock,
            CafConfig config) {
        this.handoffs = handoffs;
        this.entities = entities;
        this.executions = executions;
        this.checkpoints = checkpoints;
        this.checkpointService = checkpointService;
        this.reader = reader;
        this.restore = restore;
        this.transfers = transfers;
        this.jobs = jobs;
        this.events = events;
        this.locations = locations;
        this.store = store;
        this.pool = pool;
        this.json = json;
        this.clock = clock;
        this.config = config;
    }

    // ---- source ---------------------------------------------------------------------------------------------

    /** Starts a handoff (202): from now on the execution is written by nothing but the handoff. */
    public Uni<HandoffView> start(Tenant tenant, String executionId, HandoffRequest r) {
        Location location = locations.writable(r.location());
        if (r.targetCluster().equals(config.clusterId())) {
            throw InvalidInput.field("target_cluster", "is this cluster (" + config.clusterId() + ")");
        }
        UUID id = UUID.randomUUID();
        long now = clock.now();
        return pool.withTransaction(conn -> executions
                        .fence(conn, tenant, executionId, id, now)
                        .flatMap(fenced -> {
                            if (fenced == null) {
                                return executions.<Void>whyNot(conn, tenant, executionId, null);
                            }
                            Handoff h = new Handoff(
                                    id,
                                    tenant,
                                    executionId,
                                    location.name(),
                                    r.targetCluster(),
                                    fenced.epoch() + 1,
                                    Handoff.REQUESTED,
                                    fenced.previousStatus().wire(),
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    now,
                                    now,
                                    true);
                            List<CafEvent> announced = new ArrayList<>();
                            if (fenced.previousStatus() != ExecutionStatus.PAUSED) {
                                announced.add(CafEvent.statusChanged(executionId, ExecutionStatus.PAUSED));
                            }
                            announced.add(new CafEvent.HandoffChanged(executionId, HandoffView.of(h)));
                            return handoffs.insert(conn, h).flatMap(x -> events.record(conn, tenant, now, announced));
                        }))
                .flatMap(x -> handoffs.find(id))
                .map(HandoffView::of);
    }

    /** The latest handoff of an execution, or 404. */
    public Uni<HandoffView> view(Tenant tenant, String executionId) {
        return entities.latest(tenant, executionId).map(h -> {
            if (h == null) {
                throw new ResourceNotFound("execution '" + executionId + "' has no handoff");
            }
            return HandoffView.of(h);
        });
    }

    /** Moves every open handoff on by one step (the transfer worker's round); failures wait for the next round. */
    public Uni<Void> advanceAll() {
        return handoffs.open(20).flatMap(open -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Handoff h : open) {
                chain = chain.flatMap(x -> advance(h).onFailure().recoverWithUni(e -> {
                    Log.warnf("handoff %s of %s: %s (retried)", h.id(), h.executionId(), e.toString());
                    return handoffs.touch(h.id(), clock.now());
                }));
            }
            return chain;
        });
    }

    Uni<Void> advance(Handoff h) {
        Location location = locations.get(h.location());
        if (!h.outcomePublished()) {
            return publishOutcome(h, location);
        }
        return switch (h.state()) {
            case Handoff.REQUESTED ->
                checkpointService
                        .createForHandoff(h.tenant(), h.executionId(), h.id().toString(), h.targetCluster())
                        .flatMap(stored -> lineage(h.tenant(), h.executionId(), stored.summary())
                                .flatMap(rows -> transfers.exportForHandoff(h.tenant(), location, h.id(), rows))
                                .flatMap(x -> handoffs.exporting(
                                        h.id(), stored.summary().id(), h.id(), clock.now())))
                        .replaceWithVoid();
            case Handoff.EXPORTING ->
                jobs.find(h.id()).flatMap(job -> {
                    if (job == null) {
                        // the export job was lost between the two steps: take it again (the checkpoint is the same)
                        return handoffs.move(
                                        pool, h.id(), List.of(Handoff.EXPORTING), Handoff.REQUESTED, null, clock.now())
                                .replaceWithVoid();
                    }
                    if (job.status().equals("failed")) {
                        // however the job failed (an item, its location gone, an error): the operator may abort
                        return handoffs.move(
                                        pool,
                                        h.id(),
                                        List.of(Handoff.EXPORTING),
                                        Handoff.FAILED,
                                        "the export failed: " + job.error(),
                                        clock.now())
                                .replaceWithVoid();
                    }
                    return handoffs.touch(h.id(), clock.now());
                });
            case Handoff.AWAITING_ACK, Handoff.FAILED ->
                !h.manifestMayExist()
                        ? Uni.createFrom().voidItem()
                        : acknowledged(h, location)
                                .flatMap(ack ->
                                        ack == null ? handoffs.touch(h.id(), clock.now()) : complete(h, location));
            default -> Uni.createFrom().voidItem();
        };
    }

    /** Every checkpoint of the execution, and the ancestors of the final one in other executions (forks). */
    private Uni<List<CheckpointSummary>> lineage(Tenant tenant, String executionId, CheckpointSummary last) {
        CheckpointQuery q = new CheckpointQuery(executionId, null, null, null, null, null, null, null, null, null);
        return transfers.all(tenant, q, null, null, new ArrayList<>()).flatMap(rows -> {
            Set<String> have = new HashSet<>();
            rows.forEach(r -> have.add(r.id()));
            if (have.add(last.id())) {
                rows.add(last);
            }
            return ancestors(tenant, rows, have, last.parentCheckpointId(), 0);
        });
    }

    private Uni<List<CheckpointSummary>> ancestors(
            Tenant tenant, List<CheckpointSummary> rows, Set<String> have, String parent, int depth) {
        if (parent == null || depth > 10_000) {
            return Uni.createFrom().item(rows);
        }
        if (have.contains(parent)) {
            CheckpointSummary known =
                    rows.stream().filter(r -> r.id().equals(parent)).findFirst().orElse(null);
            return known == null || known.parentCheckpointId() == null || have.contains(known.parentCheckpointId())
                    ? Uni.createFrom().item(rows)
                    : ancestors(tenant, rows, have, known.parentCheckpointId(), depth + 1);
        }
        return checkpoints.find(tenant, parent).flatMap(row -> {
            if (row == null) {
                return Uni.createFrom().item(rows); // deleted by retention: the lineage ends here
            }
            have.add(parent);
            rows.add(row.summary());
            return ancestors(tenant, rows, have, row.summary().parentCheckpointId(), depth + 1);
        });
    }

    /**
     * The handoff part of the manifest, or null when the handoff is no longer exporting (it was aborted or failed).
     * Its expiry is recorded first: from then on the handoff may be in the target's hands.
     */
    public Uni<Manifest.Handoff> manifestSection(UUID id) {
        return handoffs.find(id).flatMap(h -> {
            if (h == null || !h.state().equals(Handoff.EXPORTING)) {
                return Uni.createFrom().nullItem();
            }
            return checkpoints
                    .find(h.tenant(), h.finalCheckpointId())
                    .flatMap(row -> row == null
                            ? Uni.createFrom().<Manifest.Handoff>nullItem()
                            : inDoubt(h.tenant(), row.summary().id())
                                    .flatMap(calls -> handoffs.expiresBy(
                                                    h.id(),
                                                    clock.now()
                                                            + config.transfer()
                                                                    .handoffTimeout()
                                                                    .toMillis(),
                                                    clock.now())
                                            .map(expiresAt -> expiresAt == null
                                                    ? null
                                                    : new Manifest.Handoff(
                                                            h.id().toString(),
                                                            h.executionId(),
                                                            h.epoch(),
                                                            h.targetCluster(),
                                                            h.finalCheckpointId(),
                                                            expiresAt,
                                                            calls))));
        });
    }

    /** Tool calls still pending or running in the checkpoint: the target must not re-run them blindly. */
    private Uni<List<String>> inDoubt(Tenant tenant, String checkpointId) {
        return checkpoints
                .find(tenant, checkpointId)
                .flatMap(row -> row == null
                        ? Uni.createFrom().item(List.<String>of())
                        : checkpointDocument(row).map(doc -> {
                            List<String> ids = new ArrayList<>();
                            doc.path("snapshot")
                                    .path("tool_state")
                                    .path("pending")
                                    .forEach(n -> ids.add(n.asText()));
                            doc.path("snapshot")
                                    .path("tool_state")
                                    .path("running")
                                    .forEach(n -> ids.add(n.asText()));
                            return ids;
                        }));
    }

    private Uni<JsonNode> checkpointDocument(CheckpointRow row) {
        return reader.tree(row);
    }

    /** The export wrote the manifest: now the target may take the execution over, until {@code expiresAt}. */
    public Uni<Void> exported(UUID id, String manifestKey, long expiresAt) {
        return handoffs.find(id)
                .flatMap(h -> handoffs.awaitingAck(pool, id, manifestKey, expiresAt, clock.now())
                        .flatMap(moved -> !moved
                                ? Uni.createFrom().voidItem()
                                : events.record(
                                        h.tenant(),
                                        clock.now(),
                                        new CafEvent.HandoffChanged(
                                                h.executionId(),
                                                changed(h, Handoff.AWAITING_ACK, manifestKey, expiresAt)))));
    }

    /** The export failed: no manifest was written, so the operator may abort at once. */
    public Uni<Void> exportFailed(UUID id, String error) {
        return handoffs.move(pool, id, List.of(Handoff.EXPORTING), Handoff.FAILED, error, clock.now())
                .replaceWithVoid();
    }

    /** The target's acknowledgement of this handoff, or null. */
    private Uni<Manifest.Ack> acknowledged(Handoff h, Location location) {
        String key = TransferKeys.ack(location, h.targetCluster(), h.tenant().id(), h.executionId(), h.epoch());
        return store.get(location, key).map(stored -> {
            if (stored == null) {
                return null;
            }
            try {
                Manifest.Ack ack = json.mapper().readValue(stored.bytes(), Manifest.Ack.class);
                boolean valid = Manifest.Ack.FORMAT.equals(ack.format())
                        && h.id().toString().equals(ack.handoffId())
                        && ack.epoch() == h.epoch()
                        && h.targetCluster().equals(ack.cluster());
                if (!valid) {
                    Log.warnf("handoff %s: the acknowledgement at %s is not this handoff's; ignored", h.id(), key);
                }
                return valid ? ack : null;
            } catch (Exception e) {
                Log.warnf("handoff %s: the acknowledgement at %s is not readable; ignored", h.id(), key);
                return null;
            }
        });
    }

    /** The target acknowledged: the execution is its own from now on (kept here as history). */
    private Uni<Void> complete(Handoff h, Location location) {
        long now = clock.now();
        return pool.withTransaction(conn -> handoffs.decide(
                                conn, h.id(), List.of(Handoff.AWAITING_ACK, Handoff.FAILED), Handoff.COMPLETED, now)
                        .flatMap(moved -> !moved
                                ? Uni.createFrom().voidItem()
                                : executions
                                        .handedOff(
                                                conn,
                                                h.tenant(),
                                                h.executionId(),
                                                h.id(),
                                                h.targetCluster(),
                                                h.epoch(),
                                                now)
                                        .flatMap(x -> events.record(
                                                conn,
                                                h.tenant(),
                                                now,
                                                new CafEvent.HandoffChanged(
                                                        h.executionId(),
                                                        changed(
                                                                h,
                                                                Handoff.COMPLETED,
                                                                h.manifestKey(),
                                                                h.expiresAt()))))))
                .flatMap(x -> publishLater(h.id(), location));
    }

    /**
     * Writes the source's decision into the location (under this cluster's prefix): a target that finds the abort
     * marker next to its acknowledgement reads it to know whether it takes the execution over.
     */
    private Uni<Void> publishOutcome(Handoff h, Location location) {
        long now = clock.now();
        Manifest.Outcome outcome = new Manifest.Outcome(
                Manifest.Outcome.FORMAT,
                h.id().toString(),
                h.executionId(),
                h.epoch(),
                h.state().equals(Handoff.COMPLETED) ? Manifest.Outcome.COMPLETED : Manifest.Outcome.ABORTED,
                now);
        String key =
                TransferKeys.outcome(location, config.clusterId(), h.tenant().id(), h.executionId(), h.epoch());
        return store.put(location, key, json.write(outcome).getBytes(StandardCharsets.UTF_8), Map.of(), false)
                .flatMap(x -> handoffs.published(h.id(), now));
    }

    /** Publishes a decision just taken; when the location cannot be reached now, the worker publishes it later. */
    private Uni<Void> publishLater(UUID id, Location location) {
        return handoffs.find(id)
                .flatMap(h ->
                        h == null || h.outcomePublished() ? Uni.createFrom().voidItem() : publishOutcome(h, location))
                .onFailure()
                .recoverWithUni(e -> {
                    Log.warnf("handoff %s: its outcome is not published yet (%s); the worker retries", id, e);
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * Aborts the handoff, and this cluster writes the execution again. Before any manifest may exist (requested, or
     * failed before its manifest) at once. Once one may (awaiting the acknowledgement, or failed after the manifest)
     * only after it expired plus the allowed clock skew: this cluster writes its abort marker, then looks for the
     * acknowledgement once more (it completes if the target was first), and publishes which way it went. 409 while
     * the export runs or before the expiry, with {@code Retry-After}.
     */
    public Uni<HandoffView> abort(Tenant tenant, String executionId) {
        return entities.latest(tenant, executionId).flatMap(h -> {
            if (h == null || h.state().equals(Handoff.COMPLETED) || h.state().equals(Handoff.ABORTED)) {
                throw new StateConflict("execution '" + executionId + "' has no handoff under way");
            }
            if (h.state().equals(Handoff.EXPORTING)) {
                throw new Retryable("the handoff's export is running; abort once it finished", 5);
            }
            Uni<Void> done = h.manifestMayExist()
                    ? guardedAbort(h)
                    : unfence(h, List.of(Handoff.REQUESTED, Handoff.FAILED), false, null);
            return done.flatMap(x -> handoffs.find(h.id())).map(found -> HandoffView.of(found));
        });
    }

    private Uni<Void> guardedAbort(Handoff h) {
        long now = clock.now();
        long allowed = h.expiresAt() + config.transfer().handoffClockSkew().toMillis();
        if (now < allowed) {
            throw new Retryable(
                    "cluster " + h.targetCluster() + " may still take the execution over until " + h.expiresAt()
                            + "; abort after " + allowed,
                    (int) Math.max(1, (allowed - now + 999) / 1000));
        }
        Location location = locations.get(h.location());
        Uni<Void> tookOver = complete(h, location).map(x -> {
            throw new StateConflict("cluster " + h.targetCluster() + " took the execution over");
        });
        return acknowledged(h, location).flatMap(ack -> {
            if (ack != null) {
                return tookOver;
            }
            Manifest.Abort marker =
                    new Manifest.Abort(Manifest.Abort.FORMAT, h.id().toString(), h.executionId(), h.epoch(), now);
            String key =
                    TransferKeys.abort(location, config.clusterId(), h.tenant().id(), h.executionId(), h.epoch());
            return store.put(location, key, json.write(marker).getBytes(StandardCharsets.UTF_8), Map.of(), false)
                    .flatMap(x -> acknowledged(h, location))
                    .flatMap(late -> late != null
                            ? tookOver
                            : unfence(h, List.of(Handoff.AWAITING_ACK, Handoff.FAILED), true, location));
        });
    }

    /**
     * The execution is written here again. {@code decided}: the handoff's manifest may have been in the target's
     * hands, so the decision is published into {@code location}.
     */
    private Uni<Void> unfence(Handoff h, List<String> from, boolean decided, Location location) {
        long now = clock.now();
        ExecutionStatus previous = ExecutionStatus.of(h.previousStatus());
        return pool.withTransaction(conn -> (decided
                                ? handoffs.decide(conn, h.id(), from, Handoff.ABORTED, now)
                                : handoffs.move(conn, h.id(), from, Handoff.ABORTED, null, now))
                        .flatMap(moved -> {
                            if (!moved) {
                                throw new StateConflict("the handoff moved on meanwhile; look at it again");
                            }
                            return executions.unfence(conn, h.tenant(), h.executionId(), h.id(), previous, now);
                        })
                        .flatMap(x -> {
                            List<CafEvent> announced = new ArrayList<>();
                            announced.add(new CafEvent.HandoffChanged(
                                    h.executionId(), changed(h, Handoff.ABORTED, h.manifestKey(), h.expiresAt())));
                            if (previous != ExecutionStatus.PAUSED) {
                                announced.add(CafEvent.statusChanged(h.executionId(), previous));
                            }
                            return events.record(conn, h.tenant(), now, announced);
                        }))
                .flatMap(x -> decided
                        ? publishLater(h.id(), location)
                        : Uni.createFrom().voidItem());
    }

    private static Map<String, Object> changed(Handoff h, String state, String manifestKey, Long expiresAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", h.id().toString());
        m.put("state", state);
        m.put("location", h.location());
        m.put("target_cluster", h.targetCluster());
        m.put("epoch", h.epoch());
        m.put("final_checkpoint_id", h.finalCheckpointId());
        if (manifestKey != null) {
            m.put("manifest_key", manifestKey);
        }
        if (expiresAt != null) {
            m.put("expires_at", expiresAt);
        }
        return m;
    }

    /** 409 that is worth retrying after a while. */
    static final class Retryable extends StateConflict {
        private final int after;

        Retryable(String detail, int after) {
            super(detail);
            this.after = after;
        }

        @Override
        public int retryAfterSeconds() {
            return after;
        }
    }

    // ---- target ---------------------------------------------------------------------------------------------

    /** What an import did with a handoff its manifest carried. */
    public record Received(
            String executionId,
            long epoch,
            String targetCluster,
            boolean resumed,
            String reason,
            List<String> inDoubtToolCalls) {}

    /**
     * The target's side, after the handoff's checkpoints were imported into {@code tenant}: takes the execution over
     * when this cluster is the target and may ({@code resume}), otherwise keeps it as history and says why. The
     * acknowledgement, abort marker and outcome lie under {@code sourceTenant}, the tenant of the source's execution
     * (a location may map it to another tenant here).
     * <p>
     * The target writes its acknowledgement only while the handoff is more than the allowed clock skew from expiring
     * and not aborted; with the acknowledgement in the location it takes over ({@link #settle}).
     */
    public Uni<Received> receive(
            Tenant tenant,
            String sourceTenant,
            Location location,
            String manifestKey,
            String sourceCluster,
            Manifest.Handoff h,
            boolean resume) {
        List<String> inDoubt = h.inDoubtToolCalls() == null ? List.of() : h.inDoubtToolCalls();
        if (!config.clusterId().equals(h.targetCluster())) {
            return Uni.createFrom()
                    .item(history(
                            h,
                            "this cluster (" + config.clusterId() + ") is not the handoff's" + " target ("
                                    + h.targetCluster() + "): imported as history",
                            inDoubt));
        }
        if (!resume) {
            return Uni.createFrom().item(history(h, "imported as history: the import did not ask to resume", inDoubt));
        }
        if (!location.writable()) {
            return Uni.createFrom()
                    .item(history(
                            h,
                            "location '" + location.name() + "' is read-only on this cluster, so it cannot"
                                    + " acknowledge: imported as history",
                            inDoubt));
        }
        Keys keys = new Keys(location, sourceCluster, sourceTenant, h);
        return executions
                .get(tenant, h.executionId())
                .onFailure(ResourceNotFound.class)
                .recoverWithNull()
                .flatMap(current -> {
                    if (current != null && current.epoch() >= h.epoch()) {
                        return Uni.createFrom()
                                .item(history(h, "this cluster already holds epoch " + current.epoch(), inDoubt));
                    }
                    return checkpoints.find(tenant, h.finalCheckpointId()).flatMap(finalRow -> {
                        if (finalRow == null) {
                            return Uni.createFrom()
                                    .item(history(h, "the handoff's final checkpoint was not imported", inDoubt));
                        }
                        return store.get(location, keys.ack()).flatMap(existing -> {
                            if (existing != null) {
                                // acknowledged before (a retry after a crash, or an acknowledgement that timed out)
                                return settle(tenant, keys, sourceCluster, h, inDoubt);
                            }
                            long now = clock.now();
                            if (now
                                    > h.expiresAt()
                                            - config.transfer()
                                                    .handoffClockSkew()
                                                    .toMillis()) {
                                return Uni.createFrom()
                                        .item(history(
                                                h,
                                                "the handoff expired before this cluster could take it over:"
                                                        + " imported as history",
                                                inDoubt));
                            }
                            return store.head(location, keys.abort()).flatMap(aborted -> {
                                if (aborted != null) {
                                    return Uni.createFrom().item(history(h, "the source aborted the handoff", inDoubt));
                                }
                                Manifest.Ack body = new Manifest.Ack(
                                        Manifest.Ack.FORMAT,
                                        h.handoffId(),
                                        h.executionId(),
                                        h.epoch(),
                                        config.clusterId(),
                                        sourceCluster,
                                        manifestKey,
                                        now);
                                byte[] bytes = json.write(body).getBytes(StandardCharsets.UTF_8);
                                return store.put(location, keys.ack(), bytes, Map.of(), true)
                                        .flatMap(created -> settle(tenant, keys, sourceCluster, h, inDoubt));
                            });
                        });
                    });
                });
    }

    /** Where the two sides of one handoff meet in a location. */
    private record Keys(Location location, String ack, String abort, String outcome) {
        Keys(Location l, String sourceCluster, String sourceTenant, Manifest.Handoff h) {
            this(
                    l,
                    TransferKeys.ack(l, h.targetCluster(), sourceTenant, h.executionId(), h.epoch()),
                    TransferKeys.abort(l, sourceCluster, sourceTenant, h.executionId(), h.epoch()),
                    TransferKeys.outcome(l, sourceCluster, sourceTenant, h.executionId(), h.epoch()));
        }
    }

    /**
     * The acknowledgement is in the location: whether this cluster takes over. Before the handoff expires, yes: the
     * source aborts only after it expired plus the clock skew, and then sees the acknowledgement. After, the source
     * may be aborting: without its abort marker it has not started (it writes the marker, then looks for the
     * acknowledgement, so it will see this one and complete), so yes; with the marker, its published outcome decides,
     * and until it is published the import waits (it is retried).
     */
    private Uni<Received> settle(
            Tenant tenant, Keys keys, String sourceCluster, Manifest.Handoff h, List<String> inDoubt) {
        if (clock.now() < h.expiresAt()) {
            return takeOver(tenant, sourceCluster, h, inDoubt);
        }
        return store.head(keys.location(), keys.abort()).flatMap(marker -> {
            if (marker == null) {
                return takeOver(tenant, sourceCluster, h, inDoubt);
            }
            return store.get(keys.location(), keys.outcome()).flatMap(stored -> {
                Manifest.Outcome outcome = stored == null ? null : outcome(stored.bytes(), h);
                if (outcome == null) {
                    throw new SourceUndecided(sourceCluster, h);
                }
                return outcome.outcome().equals(Manifest.Outcome.COMPLETED)
                        ? takeOver(tenant, sourceCluster, h, inDoubt)
                        : Uni.createFrom().item(history(h, "the source aborted the handoff", inDoubt));
            });
        });
    }

    private Manifest.Outcome outcome(byte[] bytes, Manifest.Handoff h) {
        try {
            Manifest.Outcome o = json.mapper().readValue(bytes, Manifest.Outcome.class);
            boolean valid = Manifest.Outcome.FORMAT.equals(o.format())
                    && h.handoffId().equals(o.handoffId())
                    && o.epoch() == h.epoch()
                    && (Manifest.Outcome.COMPLETED.equals(o.outcome()) || Manifest.Outcome.ABORTED.equals(o.outcome()));
            return valid ? o : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The source wrote its abort marker next to this cluster's acknowledgement and has not published its decision
     * yet: the import waits and tries again (the job pauses, as for a dependency that cannot be reached).
     */
    static final class SourceUndecided extends DependencyUnavailable {
        SourceUndecided(String sourceCluster, Manifest.Handoff h) {
            super("the decision of cluster " + sourceCluster + " on handoff " + h.handoffId(), 5);
        }
    }

    private Uni<Received> takeOver(Tenant tenant, String sourceCluster, Manifest.Handoff h, List<String> inDoubt) {
        Map<String, Object> announced = new LinkedHashMap<>();
        announced.put("id", h.handoffId());
        announced.put("state", "resumed");
        announced.put("source_cluster", sourceCluster);
        announced.put("epoch", h.epoch());
        announced.put("final_checkpoint_id", h.finalCheckpointId());
        announced.put("in_doubt_tool_calls", inDoubt);
        return restore.takeOver(
                        tenant,
                        h.finalCheckpointId(),
                        h.epoch(),
                        new CafEvent.HandoffChanged(h.executionId(), announced))
                .map(view -> view == null
                        ? history(h, "already taken over at epoch " + h.epoch(), inDoubt)
                        : new Received(h.executionId(), h.epoch(), h.targetCluster(), true, null, inDoubt));
    }

    private static Received history(Manifest.Handoff h, String reason, List<String> inDoubt) {
        return new Received(h.executionId(), h.epoch(), h.targetCluster(), false, reason, inDoubt);
    }
}
