package dev.cafstate.common.db;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Hibernate Reactive works on a safe duplicated Vert.x context only. A request has one; the background work (the
 * transfer worker's rounds, which continue on worker threads after S3 calls) does not, so every entity read runs
 * through {@link #run}: on the caller's context when it is a duplicated one, otherwise on a new safe one.
 */
@ApplicationScoped
public class SafeContexts {

    private final Vertx vertx;

    public SafeContexts(Vertx vertx) {
        this.vertx = vertx;
    }

    public <T> Uni<T> run(Supplier<Uni<T>> work) {
        Context current = Vertx.currentContext();
        if (current != null && VertxContext.isDuplicatedContext(current)) {
            return work.get();
        }
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom()
                .emitter(emitter ->
                        context.runOnContext(x -> work.get().subscribe().with(emitter::complete, emitter::fail)));
    }
}
