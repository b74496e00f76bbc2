package dev.cafstate.transfer.location;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.SafeContexts;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

/** Locations' sync status read as entities ({@code GET /locations}). */
@ApplicationScoped
public class LocationStatusEntities implements PanacheRepositoryBase<LocationStatusEntity, String> {

    private final SafeContexts contexts;

    public LocationStatusEntities(SafeContexts contexts) {
        this.contexts = contexts;
    }

    /** Each location's status, by name. */
    public Uni<Map<String, LocationStatusRepository.Status>> byLocation() {
        return contexts.run(() -> Panache.withSession(() -> listAll()))
                .map(all -> all.stream()
                        .map(LocationStatusEntity::toStatus)
                        .collect(Collectors.toMap(LocationStatusRepository.Status::location, Function.identity())));
    }
}
