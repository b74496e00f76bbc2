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
 * through {@link #run}: on the caller's duplicated context, on its event loop, or else on a new safe context.
 */
@ApplicationScoped
public class SafeContexts {

    private final Vertx vertx;

    public SafeContexts(Vertx vertx) {
        this.vertx = vertx;
    }

    public <T> Uni<T> run(Supplier<Uni<T>> work) {
        Context current = Vertx.currentContext();
        boolean duplicated = current != null && VertxContext.isDuplicatedContext(current);
        if (duplicated && Context.isOnEventLoopThread()) {
            return work.get();
        }
        // on a worker thread (a blocking call's continuation) the context's own event loop runs it
        Context context = duplicated ? current : VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        if (!duplicated) {
            VertxContextSafetyToggle.setContextSafe(context, true);
        }
        return Uni.createFrom()
                .emitter(emitter ->
                        context.runOnContext(x -> work.get().subscribe().with(emitter::complete, emitter::fail)));
    }
}
