package dev.cafstate.events;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Deletes published events older than {@code caf.events.retention}; unpublished ones are never deleted. */
@ApplicationScoped
public class OutboxCleaner {

    private final Pool pool;
    private final CafConfig config;

    public OutboxCleaner(Pool pool, CafConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> clean() {
        long cutoff = System.currentTimeMillis() - config.events().retention().toMillis();
        return pool.preparedQuery("DELETE FROM outbox_events WHERE published_at IS NOT NULL AND created_at < $1")
                .execute(Tuple.of(cutoff))
                .invoke(rows -> {
                    if (rows.rowCount() > 0) {
                        Log.infof("removed %d published events past retention", rows.rowCount());
                    }
                })
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    Log.warnf("outbox clean-up failed: %s", e.toString());
                    return Uni.createFrom().voidItem();
                });
    }
}
