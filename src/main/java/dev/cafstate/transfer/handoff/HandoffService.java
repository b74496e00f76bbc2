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
                                    now);
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
        return handoffs.latest(tenant, executionId).map(h -> {
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
                jobs.find(h.id())
                        .flatMap(job -> job == null
                                // the export job was lost between the two steps: take it again (the checkpoint is the
                                // same)
                                ? handoffs.move(
                                                pool,
                                                h.id(),
                                                List.of(Handoff.EXPORTING),
                                                Handoff.REQUESTED,
                                                null,
                                                clock.now())
                                        .replaceWithVoid()
                                : handoffs.touch(h.id(), clock.now()));
            case Handoff.AWAITING_ACK ->
                acknowledged(h, location)
                        .flatMap(ack -> ack == null ? handoffs.touch(h.id(), clock.now()) : complete(h));
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

    /** The handoff part of the manifest, or null when the handoff is no longer exporting (it was aborted). */
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
                                    .map(calls -> new Manifest.Handoff(
                                            h.id().toString(),
                                            h.executionId(),
                                            h.epoch(),
                                            h.targetCluster(),
                                            h.finalCheckpointId(),
                                            clock.now()
                                                    + config.transfer()
                                                            .handoffTimeout()
                                                            .toMillis(),
                                            calls)));
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

    private Uni<Void> complete(Handoff h) {
        long now = clock.now();
        return pool.withTransaction(conn -> handoffs.move(
                        conn, h.id(), List.of(Handoff.AWAITING_ACK), Handoff.COMPLETED, null, now)
                .flatMap(moved -> !moved
                        ? Uni.createFrom().voidItem()
                        : executions
                                .handedOff(conn, h.tenant(), h.executionId(), h.id(), h.targetCluster(), h.epoch(), now)
                                .flatMap(x -> events.record(
                                        conn,
                                        h.tenant(),
                                        now,
                                        new CafEvent.HandoffChanged(
                                                h.executionId(),
                                                changed(h, Handoff.COMPLETED, h.manifestKey(), h.expiresAt()))))));
    }

    /**
     * Aborts the handoff, and this cluster writes the execution again: before the export (requested, failed) at once;
     * while waiting for the acknowledgement only once the handoff expired plus the allowed clock skew and no
     * acknowledgement exists (409 otherwise, with {@code Retry-After} while waiting helps).
     */
    public Uni<HandoffView> abort(Tenant tenant, String executionId) {
        return handoffs.latest(tenant, executionId).flatMap(h -> {
            if (h == null || h.state().equals(Handoff.COMPLETED) || h.state().equals(Handoff.ABORTED)) {
                throw new StateConflict("execution '" + executionId + "' has no handoff under way");
            }
            long now = clock.now();
            if (h.state().equals(Handoff.EXPORTING)) {
                throw new Retryable("the handoff's export is running; abort once it finished", 5);
            }
            if (h.state().equals(Handoff.AWAITING_ACK)) {
                long allowed =
                        h.expiresAt() + config.transfer().handoffClockSkew().toMillis();
                if (now < allowed) {
                    throw new Retryable(
                            "cluster " + h.targetCluster() + " may still take the execution over until " + h.expiresAt()
                                    + "; abort after " + allowed,
                            (int) Math.max(1, (allowed - now + 999) / 1000));
                }
                Location location = locations.get(h.location());
                return acknowledged(h, location)
                        .flatMap(ack -> {
                            if (ack != null) {
                                return complete(h).map(x -> {
                                    throw new StateConflict(
                                            "cluster " + h.targetCluster() + " took the execution over");
                                });
                            }
                            Manifest.Abort marker = new Manifest.Abort(
                                    Manifest.Abort.FORMAT, h.id().toString(), executionId, h.epoch(), now);
                            byte[] bytes = json.write(marker).getBytes(StandardCharsets.UTF_8);
                            String key = TransferKeys.abort(
                                    location, config.clusterId(), tenant.id(), executionId, h.epoch());
                            return store.put(location, key, bytes, Map.of(), false)
                                    .flatMap(x -> acknowledged(h, location))
                                    .flatMap(late -> late != null
                                            ? complete(h).map(x -> {
                                                throw new StateConflict(
                                                        "cluster " + h.targetCluster() + " took the execution over");
                                            })
                                            : unfence(h, List.of(Handoff.AWAITING_ACK)));
                        })
                        .flatMap(x -> handoffs.find(h.id()))
                        .map(HandoffView::of);
            }
            return unfence(h, List.of(Handoff.REQUESTED, Handoff.FAILED))
                    .flatMap(x -> handoffs.find(h.id()))
                    .map(HandoffView::of);
        });
    }

    private Uni<Void> unfence(Handoff h, List<String> from) {
        long now = clock.now();
        ExecutionStatus previous = ExecutionStatus.of(h.previousStatus());
        return pool.withTransaction(conn -> handoffs.move(conn, h.id(), from, Handoff.ABORTED, null, now)
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
                }));
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
     * The target's side, after the handoff's checkpoints were imported: takes the execution over when this cluster
     * is the target and may ({@code resume}), otherwise keeps it as history and says why.
     */
    public Uni<Received> receive(
            Tenant tenant,
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
        String ackKey = TransferKeys.ack(location, config.clusterId(), tenant.id(), h.executionId(), h.epoch());
        return store.get(location, ackKey).flatMap(ack -> {
            if (ack != null) {
                return takeOver(tenant, sourceCluster, h, inDoubt); // acknowledged before: committed, go on
            }
            return checkpoints.find(tenant, h.finalCheckpointId()).flatMap(finalRow -> {
                if (finalRow == null) {
                    return Uni.createFrom()
                            .item(history(h, "the handoff's final checkpoint was not imported", inDoubt));
                }
                long now = clock.now();
                if (now > h.expiresAt() - config.transfer().handoffClockSkew().toMillis()) {
                    return Uni.createFrom()
                            .item(history(
                                    h,
                                    "the handoff expired before this cluster could take it"
                                            + " over: imported as history",
                                    inDoubt));
                }
                String abortKey = TransferKeys.abort(location, sourceCluster, tenant.id(), h.executionId(), h.epoch());
                return store.head(location, abortKey).flatMap(aborted -> {
                    if (aborted != null) {
                        return Uni.createFrom().item(history(h, "the source aborted the handoff", inDoubt));
                    }
                    return executions
                            .get(tenant, h.executionId())
                            .onFailure(ResourceNotFound.class)
                            .recoverWithNull()
                            .flatMap(current -> {
                                if (current != null && current.epoch() >= h.epoch()) {
                                    return Uni.createFrom()
                                            .item(history(
                                                    h, "this cluster already holds epoch " + current.epoch(), inDoubt));
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
                                return store.put(location, ackKey, bytes, Map.of(), true)
                                        .flatMap(created -> takeOver(tenant, sourceCluster, h, inDoubt));
                            });
                });
            });
        });
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
