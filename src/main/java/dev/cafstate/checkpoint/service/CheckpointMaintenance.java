package dev.cafstate.checkpoint.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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

    public CheckpointMaintenance(Pool pool, CheckpointRepository checkpoints, CheckpointStorage storage,
            CafConfig config, ObjectDeletion deletion) {
        this.pool = pool;
        this.deletion = deletion;
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
            return deletion.deleteQuietly(key);
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

    /** Result of a reconciler run: objects listed, orphans removed, and objects spared because a write is in flight. */
    public record Reconciled(int scanned, int orphansRemoved, int inFlight) {
    }

    /**
     * Removes objects no row points to and older than the grace period, under one tenant's prefix (or, with null,
     * under every tenant's). Objects of writes in flight are never removed, whatever the grace
     * ({@link ObjectDeletion}).
     */
    public Uni<Reconciled> reconcile(String tenant) {
        return reconcile(tenant, config.checkpoints().orphanGrace());
    }

    /** Same, with a grace period other than the configured one (an operator's run may use 0). */
    public Uni<Reconciled> reconcile(String tenant, Duration grace) {
        String prefix = tenant == null ? storage.allTenantsPrefix() : storage.tenantPrefix(tenant);
        Instant cutoff = Instant.now().minus(grace);
        return storage.list(prefix).flatMap(objects -> {
            List<String> old = objects.stream().filter(o -> !o.lastModified().isAfter(cutoff))
                    .map(StoredObject::key).toList();
            return deletion.deleteUnreferenced(old).invoke(outcome -> {
                if (outcome.deleted() > 0) {
                    Log.infof("removed %d orphan checkpoint object(s)", outcome.deleted());
                }
            }).map(outcome -> new Reconciled(objects.size(), outcome.deleted(), outcome.inFlight()));
        });
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
