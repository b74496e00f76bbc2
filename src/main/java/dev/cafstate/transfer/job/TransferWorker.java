package dev.cafstate.transfer.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.jobs.BackgroundTimers;
import dev.cafstate.common.jobs.JobLeases;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.transfer.handoff.HandoffService;
import dev.cafstate.transfer.location.Location;
import dev.cafstate.transfer.location.LocationSync;
import dev.cafstate.transfer.location.Locations;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The transfer worker of a replica. Every {@code caf.transfer.poll-interval} it advances the open handoffs, turns
 * queued new checkpoints into automatic exports, runs the location syncs that are due, and takes the oldest job
 * whose lease is free and runs it to its end (renewing the lease batch by batch). A job whose location or database
 * cannot be reached is paused and taken again later, by this replica or another: items that are done stay done.
 */
@ApplicationScoped
public class TransferWorker {

    private final TransferJobRepository jobs;
    private final ExportRunner exports;
    private final ImportRunner imports;
    private final HandoffService handoffs;
    private final LocationSync sync;
    private final Locations locations;
    private final TransferQueueRepository queue;
    private final TransferService transfers;
    private final CheckpointRepository checkpoints;
    private final JobLeases leases;
    private final Pool pool;
    private final CafConfig config;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean stopping;

    public TransferWorker(
            TransferJobRepository jobs,
            ExportRunner exports,
            ImportRunner imports,
            HandoffService handoffs,
            LocationSync sync,
            Locations locations,
            TransferQueueRepository queue,
            TransferService transfers,
            CheckpointRepository checkpoints,
            JobLeases leases,
            Pool pool,
            CafConfig config) {
        this.jobs = jobs;
        this.exports = exports;
        this.imports = imports;
        this.handoffs = handoffs;
        this.sync = sync;
        this.locations = locations;
        this.queue = queue;
        this.transfers = transfers;
        this.checkpoints = checkpoints;
        this.leases = leases;
        this.pool = pool;
        this.config = config;
    }

    void start(@Observes StartupEvent event, BackgroundTimers timers) {
        if (!config.transfer().enabled()) {
            return;
        }
        long interval = Math.max(50, config.transfer().pollInterval().toMillis());
        timers.every(Duration.ofSeconds(1), Duration.ofMillis(interval), this::wake);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Starts a round unless one is running. */
    public void wake() {
        if (stopping || !running.compareAndSet(false, true)) {
            return;
        }
        round().subscribe().with(x -> running.set(false), e -> {
            running.set(false);
            if (!(e instanceof DependencyUnavailable) && !stopping) {
                Log.warnf("transfer round failed: %s", e.toString());
            }
        });
    }

    /** One round: handoffs, automatic exports, syncs, then one job. */
    public Uni<Void> round() {
        return quietly("handoffs", handoffs.advanceAll())
                .flatMap(x -> quietly("automatic export", autoExports()))
                .flatMap(x -> quietly("sync", sync.runDue()))
                .flatMap(x ->
                        jobs.claim(leases.owner(), config.transfer().lease().toMillis()))
                .flatMap(job -> job == null ? Uni.createFrom().voidItem() : run(job));
    }

    private Uni<Void> quietly(String what, Uni<Void> step) {
        return step.onFailure().recoverWithUni(e -> {
            if (!(e instanceof DependencyUnavailable) && !stopping) {
                Log.warnf("transfer %s failed: %s (retried next round)", what, e.toString());
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** Queued new checkpoints of each automatic export location become export jobs, one per tenant and batch. */
    private Uni<Void> autoExports() {
        List<Location> targets = locations.all().stream()
                .filter(l -> l.writable() && !l.autoExportTenants().isEmpty())
                .toList();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Location l : targets) {
            chain = chain.flatMap(x ->
                    pool.withTransaction(conn -> queue.take(conn, l.name(), 500).flatMap(taken -> {
                        if (taken.isEmpty()) {
                            return Uni.createFrom().voidItem();
                        }
                        return Multi.createFrom()
                                .iterable(taken)
                                .onItem()
                                .transformToUniAndConcatenate(q -> checkpoints.find(conn, q.tenant(), q.checkpointId()))
                                .filter(Objects::nonNull)
                                .collect()
                                .asList()
                                .flatMap(rows -> {
                                    var byTenant = new LinkedHashMap<String, List<CheckpointSummary>>();
                                    rows.forEach(r -> byTenant.computeIfAbsent(
                                                    r.tenant().id(), t -> new ArrayList<>())
                                            .add(r.summary()));
                                    Uni<Void> made = Uni.createFrom().voidItem();
                                    for (var e : byTenant.entrySet()) {
                                        made = made.flatMap(y ->
                                                transfers.exportQueued(conn, Tenant.of(e.getKey()), l, e.getValue()));
                                    }
                                    return made;
                                });
                    })));
        }
        return chain;
    }

    /** Runs a job this replica holds until it is done, paused, or taken over. */
    Uni<Void> run(TransferJob job) {
        Location location = locations.find(job.location()).orElse(null);
        String owner = leases.owner();
        if (location == null) {
            return jobs.finish(
                            job.id(),
                            owner,
                            "failed",
                            null,
                            "location '" + job.location() + "' is no longer configured")
                    .replaceWithVoid();
        }
        return step(job, location, owner, new ExportRunner.Known())
                .onFailure(DependencyUnavailable.class)
                .recoverWithUni(e -> jobs.pause(job.id(), owner, 5000, e.getMessage()))
                .onFailure()
                .recoverWithUni(e -> {
                    Log.warnf(e, "transfer job %s failed", job.id());
                    return jobs.finish(job.id(), owner, "failed", null, e.toString())
                            .replaceWithVoid();
                });
    }

    private Uni<Void> step(TransferJob job, Location location, String owner, ExportRunner.Known known) {
        if (stopping) {
            return jobs.pause(job.id(), owner, 0, null);
        }
        return jobs.renew(job.id(), owner, config.transfer().lease().toMillis()).flatMap(mine -> {
            if (!mine) {
                return Uni.createFrom().voidItem(); // another replica took it over: it goes on from the items
            }
            return jobs.find(job.id()).flatMap(current -> {
                if (current.kind().equals(TransferJob.IMPORT) && !current.listingDone()) {
                    return imports.listPage(current, location, owner)
                            .flatMap(x -> step(current, location, owner, known));
                }
                return jobs.pending(job.id(), config.transfer().concurrency() * 4)
                        .flatMap(items -> {
                            if (items.isEmpty()) {
                                return current.kind().equals(TransferJob.EXPORT)
                                        ? exports.finish(current, location, owner)
                                        : imports.finish(current, location, owner);
                            }
                            return batch(current, location, owner, items, known)
                                    .flatMap(x -> step(current, location, owner, known));
                        });
            });
        });
    }

    /**
     * Manifests one at a time (each adds items), then the objects, {@code caf.transfer.concurrency} at once. The
     * batch's outcomes are written in one statement at its end, also when a dependency failed part of it (the job
     * pauses and the items without an outcome run again; every step of an item is idempotent). A failure to write
     * them fails the batch: it is never taken as done.
     */
    private Uni<Void> batch(
            TransferJob job, Location location, String owner, List<TransferItem> items, ExportRunner.Known known) {
        Marks marks = new Marks();
        boolean export = job.kind().equals(TransferJob.EXPORT);
        List<TransferItem> manifests = export
                ? List.of()
                : items.stream()
                        .filter(i -> ImportRunner.isManifest(location, i))
                        .toList();
        Uni<Void> work;
        if (!manifests.isEmpty()) {
            work = Multi.createFrom()
                    .iterable(manifests)
                    .onItem()
                    .transformToUniAndConcatenate(i -> imports.manifest(job, location, i, marks))
                    .collect()
                    .asList()
                    .replaceWithVoid();
        } else {
            work = Multi.createFrom()
                    .iterable(items)
                    .onItem()
                    .transformToUni(i -> export
                            ? exports.item(job, location, i, marks, known)
                            : imports.object(job, location, i, marks))
                    .merge(config.transfer().concurrency())
                    .collect()
                    .asList()
                    .replaceWithVoid();
        }
        return work.onItemOrFailure()
                .transformToUni((x, failure) -> jobs.markAll(job.id(), owner, marks.all())
                        .onFailure(e -> failure != null)
                        .recoverWithNull()
                        .flatMap(y -> failure == null
                                ? Uni.createFrom().voidItem()
                                : Uni.createFrom().failure(failure)));
    }
}
