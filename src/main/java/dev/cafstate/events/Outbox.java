package dev.cafstate.events;

import dev.cafstate.common.security.Tenant;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Writes events into the outbox inside the transaction of the change they announce. */
@ApplicationScoped
public class Outbox {

    /** Inserts the events ({@link CloudEvents#batch} JSON) of one change of one execution. */
    public Uni<Void> emit(SqlConnection conn, Tenant tenant, String executionId, String events, long now) {
        return conn.preparedQuery(OutboxSql.INSERT).execute(Tuple.of(tenant.id(), executionId, events, now))
                .replaceWithVoid();
    }
}
