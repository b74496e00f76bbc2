package dev.cafstate.transfer.job;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.SafeContexts;
import dev.cafstate.common.security.Tenant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

/** Transfer jobs read as entities (the job views of the API). */
@ApplicationScoped
public class TransferJobEntities implements PanacheRepositoryBase<TransferJobEntity, UUID> {

    private final SafeContexts contexts;

    public TransferJobEntities(SafeContexts contexts) {
        this.contexts = contexts;
    }

    /** The job of a tenant, of this kind, or null. */
    public Uni<TransferJob> find(Tenant tenant, UUID id, String kind) {
        return contexts.run(() ->
                        Panache.withSession(() -> find("id = ?1 and tenant = ?2 and kind = ?3", id, tenant.id(), kind)
                                .firstResult()))
                .map(e -> e == null ? null : e.toJob());
    }
}
