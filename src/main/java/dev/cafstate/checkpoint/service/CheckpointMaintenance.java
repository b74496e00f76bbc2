package dev.cafstate.checkpoint.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.storage.CheckpointStorage;
import dev.cafstate.checkpoint.storage.CheckpointStorage.StoredObject;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.jobs.JobLeases;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Removing checkpoints: one on request, those past retention, and orphan objects. Rows go first (in a transaction),
 * then the object, through {@link ObjectDeletion}: a row never points to a missing object, and an object left behind
 * is an orphan the reconciler removes once it is older than {@code caf.checkpoints.orphan-grace}.
 */
@ApplicationScoped
public class CheckpointMaintenance {

    private final Pool pool;
    private final CheckpointRepository checkpoints;
    private final CheckpointStorage storage;
    private final CafConfig config;
    private final ObjectDeletion deletion;
    private final JobLeases leases;
    private final Clock clock;

    static final String JOB = "checkpoint-maintenance";
    static final int RETENTION_BATCH = 500;

    public CheckpointMaintenance(
            Pool pool,
            CheckpointRepository checkpoints,
            CheckpointStorage storage,
            CafConfig config,
            ObjectDeletion deletion,
            JobLeases leases,
            Clock clock) {
        this.leases = leases;
        this.clock = clock;
        this.pool = pool;
        this.deletion = deletion;
        this.checkpoints = checkpoints;
        this.storage = storage;
        this.config = config;
    }

    /** Deletes a checkpoint's rows and object; 404 when there is none. */
    public Uni<Void> delete(Tenant tenant, String id) {
        return pool.withTransaction(conn -> checkpoints.delete(conn, tenant, id))
                .flatMap(key -> {
                    if (key == null) {
                        throw new ResourceNotFound("checkpoint '" + id + "' does not exist");
                    }
                    return deletion.deleteQuietly(key);
                });
    }

    /** Applies retention to one tenant; returns how many checkpoints this call deleted. */
    public Uni<Integer> applyRetention(Tenant tenant) {
        return applyRetention(Optional.of(tenant));
    }

    /** Applies retention to every tenant (the scheduled run); returns how many checkpoints this call deleted. */
    public Uni<Integer> applyRetentionToAllTenants() {
        return applyRetention(Optional.empty());
    }

    private Uni<Integer> applyRetention(Optional<Tenant> tenant) {
        Integer keepLast = config.checkpoints().keepLast().orElse(null);
        Long olderThan = config.checkpoints()
                .maxAge()
                .map(a -> clock.now() - a.toMillis())
                .orElse(null);
        if (keepLast == null && olderThan == null) {
            return Uni.createFrom().item(0);
        }
        return checkpoints
                .pastRetention(tenant, keepLast, olderThan, RETENTION_BATCH)
                .flatMap(batch -> Multi.createFrom()
                        .iterable(batch)
                        // counted only when this call deleted it (another replica may have been first)
                        .onItem()
                        .transformToUniAndConcatenate(ref -> delete(ref.tenant(), ref.id())
                                .replaceWith(1)
                                .onFailure(ResourceNotFound.class)
                                .recoverWithItem(0))
                        .collect()
                        .asList()
                        .map(done -> done.stream().mapToInt(Integer::intValue).sum())
                        .flatMap(deleted -> batch.size() == RETENTION_BATCH
                                ? applyRetention(tenant).map(more -> deleted + more)
                                : Uni.createFrom().item(deleted)));
    }

    /** Result of a reconciler run: objects listed, orphans removed, and objects spared because a write is in flight. */
    public record Reconciled(int scanned, int orphansRemoved, int inFlight) {}

    /**
     * Removes objects no row points to and older than the grace period, under one tenant's prefix. Objects of
     * writes in flight are never removed, whatever the grace ({@link ObjectDeletion}).
     */
    public Uni<Reconciled> reconcile(Tenant tenant) {
        return reconcile(tenant, config.checkpoints().orphanGrace());
    }

    /** Same, with a grace period other than the configured one (an operator's run may use 0). */
    public Uni<Reconciled> reconcile(Tenant tenant, Duration grace) {
        return reconcile(storage.tenantPrefix(tenant), grace);
    }

    /** The reconciler over every tenant's objects of this deployment (the scheduled run). */
    public Uni<Reconciled> reconcileAllTenants() {
        return reconcile(storage.allTenantsPrefix(), config.checkpoints().orphanGrace());
    }

    private Uni<Reconciled> reconcile(String prefix, Duration grace) {
        Instant cutoff = Instant.ofEpochMilli(clock.now()).minus(grace);
        return storage.list(prefix).flatMap(objects -> {
            List<String> old = objects.stream()
                    .filter(o -> !o.lastModified().isAfter(cutoff))
                    .map(StoredObject::key)
                    .toList();
            return deletion.deleteUnreferenced(old)
                    .invoke(outcome -> {
                        if (outcome.deleted() > 0) {
                            Log.infof("removed %d orphan checkpoint object(s)", outcome.deleted());
                        }
                    })
                    .map(outcome -> new Reconciled(objects.size(), outcome.deleted(), outcome.inFlight()));
        });
    }

    /**
     * Retention and the reconciler over every tenant, on one replica at a time (a job lease held for the run), so
     * their counts are of one run and replicas do not work the same checkpoints at once.
     */
    @Scheduled(
            every = "${caf.checkpoints.maintenance-interval}",
            delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return leases.acquire(JOB, config.checkpoints().maintenanceInterval().toMillis())
                .flatMap(leased -> !leased
                        ? Uni.createFrom().voidItem()
                        : applyRetentionToAllTenants()
                                .invoke(n -> {
                                    if (n > 0) {
                                        Log.infof("retention deleted %d checkpoint(s)", n);
                                    }
                                })
                                .flatMap(n -> reconcileAllTenants())
                                .eventually(() -> leases.release(JOB))
                                .replaceWithVoid())
                .onFailure()
                .recoverWithItem(e -> {
                    Log.warnf("checkpoint maintenance failed, will retry: %s", e.toString());
                    return null;
                });
    }
}
