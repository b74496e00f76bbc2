package dev.cafstate.transfer.handoff;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.SafeContexts;
import dev.cafstate.common.security.Tenant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** Handoffs read as entities (the handoff of an execution, as the API shows it and as an abort starts from). */
@ApplicationScoped
public class HandoffEntities implements PanacheRepositoryBase<HandoffEntity, UUID> {

    private final SafeContexts contexts;

    public HandoffEntities(SafeContexts contexts) {
        this.contexts = contexts;
    }

    /** The latest handoff of an execution, or null. */
    public Uni<Handoff> latest(Tenant tenant, String executionId) {
        return contexts.run(() -> Panache.withSession(() -> find(
                                "tenant = ?1 and executionId = ?2",
                                Sort.descending("createdAt"),
                                tenant.id(),
                                executionId)
                        .firstResult()))
                .map(e -> e == null ? null : e.toHandoff());
    }
}
