package dev.cafstate.transfer.location;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.jobs.JobLeases;
import dev.cafstate.common.time.Clock;
import dev.cafstate.transfer.job.TransferJob;
import dev.cafstate.transfer.job.TransferService;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The periodic sync of a location, the way Velero discovers backups: every {@code sync-interval} one replica (by
 * lease) lists the manifests other clusters wrote there, walking {@code clusters/<c>/tenants/<t>/exports/} rather
 * than every object, and makes one import job per manifest it has not seen before (a manifest is only written once
 * its export is complete). Its own cluster's manifests are left alone.
 */
@ApplicationScoped
public class LocationSync {

    private final Locations locations;
    private final LocationStore store;
    private final LocationStatusRepository status;
    private final LocationStatusEntities statuses;
    private final TransferService transfers;
    private final JobLeases leases;
    private final Pool pool;
    private final Clock clock;
    private final CafConfig config;

    public LocationSync(
            Locations locations,
            LocationStore store,
            LocationStatusRepository status,
            LocationStatusEntities statuses,
            TransferService transfers,
            JobLeases leases,
            Pool pool,
            Clock clock,
            CafConfig config) {
        this.locations = locations;
        this.store = store;
        this.status = status;
        this.statuses = statuses;
        this.transfers = transfers;
        this.leases = leases;
        this.pool = pool;
        this.clock = clock;
        this.config = config;
    }

    /** Syncs every location whose interval has passed since its last sync. */
    public Uni<Void> runDue() {
        List<Location> syncing = locations.all().stream()
                .filter(l -> l.syncInterval().isPresent())
                .toList();
        if (syncing.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return statuses.byLocation().flatMap(last -> {
            long now = clock.now();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Location l : syncing) {
                long interval = l.syncInterval().get().toMillis();
                var s = last.get(l.name());
                if (s != null && s.lastSyncAt() != null && now - s.lastSyncAt() < interval) {
                    continue;
                }
                chain = chain.flatMap(x -> leases.acquire("sync:" + l.name(), interval)
                        .flatMap(mine -> mine ? sync(l) : Uni.createFrom().voidItem()));
            }
            return chain;
        });
    }

    /** One sync of a location now: the number of import jobs it made. */
    public Uni<Void> sync(Location l) {
        AtomicLong seen = new AtomicLong();
        AtomicLong created = new AtomicLong();
        long started = clock.now();
        return store.prefixes(l, TransferKeys.clusters(l))
                .flatMap(clusters -> Multi.createFrom()
                        .iterable(clusters)
                        .filter(c -> !c.equals(TransferKeys.cluster(l, config.clusterId())))
                        .onItem()
                        .transformToUniAndConcatenate(c -> store.prefixes(l, c + "tenants/"))
                        .collect()
                        .asList())
                .map(tenants -> {
                    List<String> all = new ArrayList<>();
                    tenants.forEach(all::addAll);
                    return all;
                })
                .flatMap(tenantPrefixes -> Multi.createFrom()
                        .iterable(tenantPrefixes)
                        .onItem()
                        .transformToUniAndConcatenate(t -> manifests(l, t + "exports/", null, seen, created))
                        .collect()
                        .asList())
                .flatMap(x -> status.synced(l.name(), started, seen.get(), created.get(), null))
                .onFailure()
                .call(e -> {
                    Log.warnf("sync of location %s failed: %s", l.name(), e.toString());
                    return status.synced(l.name(), started, seen.get(), created.get(), e.getMessage())
                            .onFailure()
                            .recoverWithNull();
                });
    }

    private Uni<Void> manifests(Location l, String prefix, String token, AtomicLong seen, AtomicLong created) {
        return store.list(l, prefix, token)
                .flatMap(page -> Multi.createFrom()
                        .iterable(page.objects())
                        .filter(o -> TransferKeys.parse(l, o.key()).kind() == TransferKeys.Kind.MANIFEST)
                        .onItem()
                        .transformToUniAndConcatenate(o -> {
                            seen.incrementAndGet();
                            TransferKeys.Parsed p = TransferKeys.parse(l, o.key());
                            UUID job = UUID.randomUUID();
                            return pool.withTransaction(conn -> status.seen(conn, l.name(), o.key(), job, clock.now())
                                    .flatMap(fresh -> {
                                        if (!fresh) {
                                            return Uni.createFrom().voidItem();
                                        }
                                        created.incrementAndGet();
                                        return transfers
                                                .importManifest(
                                                        conn,
                                                        l.destination(p.tenant()),
                                                        l,
                                                        o.key(),
                                                        TransferJob.SOURCE_SYNC)
                                                .replaceWithVoid();
                                    }));
                        })
                        .collect()
                        .asList()
                        .flatMap(x -> page.next() == null
                                ? Uni.createFrom().voidItem()
                                : manifests(l, prefix, page.next(), seen, created)));
    }
}
