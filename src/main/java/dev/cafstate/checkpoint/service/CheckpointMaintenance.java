package dev.cafstate.checkpoint.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.storage.CheckpointStorage;
import dev.cafstate.checkpoint.storage.CheckpointStorage.StoredObject;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.ResourceNotFound;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Removing checkpoints: one on request, those past retention, and orphan objects. Rows go first (in a transaction),
 * then the object: a row never points to a missing object, and an object left behind is an orphan the reconciler
 * removes once it is older than {@code caf.checkpoints.orphan-grace}.
 */
@ApplicationScoped
public class CheckpointMaintenance {

    private final Pool pool;
    private final CheckpointRepository checkpoints;
    private final CheckpointStorage storage;
    private final CafConfig config;

    public CheckpointMaintenance(Pool pool, CheckpointRepository checkpoints, CheckpointStorage storage,
            CafConfig config) {
        this.pool = pool;
        this.checkpoints = checkpoints;
        this.storage = storage;
        this.config = config;
    }

    /** Deletes a checkpoint's rows and object; 404 when there is none. */
    public Uni<Void> delete(String tenant, String id) {
        return pool.withTransaction(conn -> checkpoints.delete(conn, tenant, id)).flatMap(key -> {
            if (key == null) {
                throw new ResourceNotFound("checkpoint '" + id + "' does not exist");
            }
            return storage.deleteQuietly(key);
        });
    }

    /** Applies retention to one tenant (or, with null, to all); returns how many checkpoints were deleted. */
    public Uni<Integer> applyRetention(String tenant) {
        Integer keepLast = config.checkpoints().keepLast().orElse(null);
        Long olderThan = config.checkpoints().maxAge().map(a -> System.currentTimeMillis() - a.toMillis())
                .orElse(null);
        if (keepLast == null && olderThan == null) {
            return Uni.createFrom().item(0);
        }
        return checkpoints.pastRetention(tenant, keepLast, olderThan, 500)
                .flatMap(batch -> Multi.createFrom().iterable(batch)
                        .onItem().transformToUniAndConcatenate(t -> delete(t[0], t[1])
                                .onFailure(ResourceNotFound.class).recoverWithNull())
                        .collect().asList()
                        .flatMap(done -> batch.size() == 500
                                ? applyRetention(tenant).map(more -> batch.size() + more)
                                : Uni.createFrom().item(batch.size())));
    }

    /** Result of a reconciler run. */
    public record Reconciled(int scanned, int orphansRemoved) {
    }

    /**
     * Removes objects no row points to and older than the grace period, under one tenant's prefix (or, with null,
     * under every tenant's).
     */
    public Uni<Reconciled> reconcile(String tenant) {
        String prefix = tenant == null ? storage.allTenantsPrefix() : storage.tenantPrefix(tenant);
        Instant cutoff = Instant.now().minus(config.checkpoints().orphanGrace());
        return storage.list(prefix).flatMap(objects -> {
            List<StoredObject> old = objects.stream().filter(o -> o.lastModified().isBefore(cutoff)).toList();
            List<List<StoredObject>> batches = new ArrayList<>();
            for (int i = 0; i < old.size(); i += 500) {
                batches.add(old.subList(i, Math.min(old.size(), i + 500)));
            }
            return Multi.createFrom().iterable(batches)
                    .onItem().transformToUniAndConcatenate(batch -> checkpoints
                            .referenced(batch.stream().map(StoredObject::key).toList())
                            .flatMap(referenced -> removeOrphans(batch, referenced)))
                    .collect().asList()
                    .map(counts -> new Reconciled(objects.size(), counts.stream().mapToInt(Integer::intValue).sum()));
        });
    }

    private Uni<Integer> removeOrphans(List<StoredObject> batch, Set<String> referenced) {
        List<StoredObject> orphans = batch.stream().filter(o -> !referenced.contains(o.key())).toList();
        return Multi.createFrom().iterable(orphans)
                .onItem().transformToUniAndConcatenate(o -> storage.delete(o.key()))
                .collect().asList()
                .invoke(x -> {
                    if (!orphans.isEmpty()) {
                        Log.infof("removed %d orphan checkpoint object(s)", orphans.size());
                    }
                })
                .map(x -> orphans.size());
    }

    @Scheduled(every = "${caf.checkpoints.maintenance-interval:15m}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return applyRetention(null)
                .flatMap(n -> reconcile(null))
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    Log.warnf("checkpoint maintenance failed, will retry: %s", e.toString());
                    return null;
                });
    }
}
