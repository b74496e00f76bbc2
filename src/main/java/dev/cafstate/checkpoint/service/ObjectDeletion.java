package dev.cafstate.checkpoint.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.repository.ObjectClaimRepository;
import dev.cafstate.checkpoint.storage.CheckpointStorage;
import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The one way a checkpoint object is deleted (by the reconciler, delete, retention, or the cleanup of a failed write):
 * only while no checkpoint row and no live write claim points at it, decided and carried out under the key's advisory
 * lock, which a writer needs to claim the key. A write in flight therefore never loses its object, however long it
 * takes, and an object a row points to is never deleted.
 */
@ApplicationScoped
public class ObjectDeletion {

    /** Keys handled per transaction (and so per set of locks held while their objects are deleted). */
    static final int BATCH = 200;

    private final Pool pool;
    private final ObjectClaimRepository claims;
    private final CheckpointRepository checkpoints;
    private final CheckpointStorage storage;
    private final CafConfig config;

    public ObjectDeletion(
            Pool pool,
            ObjectClaimRepository claims,
            CheckpointRepository checkpoints,
            CheckpointStorage storage,
            CafConfig config) {
        this.pool = pool;
        this.claims = claims;
        this.checkpoints = checkpoints;
        this.storage = storage;
        this.config = config;
    }

    /** What a deletion did with the keys it was given. */
    public record Outcome(int deleted, int inFlight, int referenced) {

        static final Outcome NONE = new Outcome(0, 0, 0);

        Outcome plus(Outcome o) {
            return new Outcome(deleted + o.deleted, inFlight + o.inFlight, referenced + o.referenced);
        }
    }

    /** Deletes those of {@code keys} that nothing points at; the others are left alone and counted. */
    public Uni<Outcome> deleteUnreferenced(List<String> keys) {
        List<String> sorted = new ArrayList<>(new HashSet<>(keys));
        sorted.sort(null);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i += BATCH) {
            batches.add(sorted.subList(i, Math.min(sorted.size(), i + BATCH)));
        }
        return Multi.createFrom()
                .iterable(batches)
                .onItem()
                .transformToUniAndConcatenate(this::batch)
                .collect()
                .in(() -> new Outcome[] {Outcome.NONE}, (acc, o) -> acc[0] = acc[0].plus(o))
                .map(acc -> acc[0]);
    }

    /** Same for one key, never failing: what cannot be deleted now is left for the reconciler. */
    public Uni<Void> deleteQuietly(String key) {
        return deleteUnreferenced(List.of(key)).replaceWithVoid().onFailure().recoverWithItem(e -> {
            Log.warnf("object %s left for the reconciler (%s)", key, e.toString());
            return null;
        });
    }

    private Uni<Outcome> batch(List<String> keys) {
        long claimTimeout = config.checkpoints().writeClaimTimeout().toMillis();
        // the locks are held (the transaction stays open) until the objects are gone
        return pool.withTransaction(conn -> claims.lockAndExpire(conn, keys, claimTimeout)
                .flatMap(live -> checkpoints.referenced(conn, keys).flatMap(referenced -> {
                    List<String> orphans = keys.stream()
                            .filter(k -> !live.contains(k) && !referenced.contains(k))
                            .toList();
                    // an orphan another replica deleted a moment ago is gone: not counted again
                    return Multi.createFrom()
                            .iterable(orphans)
                            .onItem()
                            .transformToUniAndConcatenate(key -> storage.exists(key)
                                    .flatMap(exists -> exists
                                            ? storage.delete(key).replaceWith(1)
                                            : Uni.createFrom().item(0)))
                            .collect()
                            .asList()
                            .map(done -> new Outcome(
                                    done.stream().mapToInt(Integer::intValue).sum(),
                                    count(live, keys),
                                    count(referenced, keys)));
                })));
    }

    private static int count(Set<String> set, List<String> keys) {
        return (int) keys.stream().filter(set::contains).count();
    }
}
