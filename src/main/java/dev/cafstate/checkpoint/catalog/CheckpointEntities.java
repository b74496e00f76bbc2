package dev.cafstate.checkpoint.catalog;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.SafeContexts;
import dev.cafstate.common.security.Tenant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

/**
 * Checkpoint rows as entities, read through Panache (each call a session of its own, never inside a transaction of
 * the raw pool). The rows are written by {@code CheckpointRepository}'s single statements, which also write the
 * catalog rows, the outbox event and the execution's pointer in one round trip.
 */
@ApplicationScoped
public class CheckpointEntities implements PanacheRepositoryBase<CheckpointEntity, CheckpointEntity.Key> {

    private final SafeContexts contexts;

    public CheckpointEntities(SafeContexts contexts) {
        this.contexts = contexts;
    }

    /** A checkpoint of a tenant, or null. */
    public Uni<CheckpointEntity> find(Tenant tenant, String id) {
        return contexts.run(() -> Panache.withSession(() -> findById(new CheckpointEntity.Key(tenant.id(), id))));
    }
}
