package dev.cafstate.events;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.security.Tenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The one way an event is recorded: as CloudEvents JSON in the outbox, in the transaction (or the single statement)
 * of the change it announces, so no change is without its event and no event without its change.
 */
@ApplicationScoped
public class EventRecorder {

    private final CloudEvents envelopes;
    private final OutboxRepository outbox;
    private final Pool pool;

    public EventRecorder(CloudEvents envelopes, OutboxRepository outbox, Pool pool) {
        this.envelopes = envelopes;
        this.outbox = outbox;
        this.pool = pool;
    }

    /** The events as the JSON array a single-statement change inserts with {@link OutboxRepository#insertCte}. */
    public String json(Tenant tenant, long now, List<? extends CafEvent> events) {
        return envelopes.batch(
                events.stream().map(e -> envelopes.envelope(tenant, now, e)).toList());
    }

    /** One event as such an array. */
    public String json(Tenant tenant, long now, CafEvent event) {
        return json(tenant, now, List.of(event));
    }

    /** Records an event inside the caller's transaction. */
    public Uni<Void> record(SqlConnection conn, Tenant tenant, long now, CafEvent event) {
        return outbox.insert(conn, tenant, event.executionId(), json(tenant, now, event), now);
    }

    /** Records events of one execution, in order, inside the caller's transaction. */
    public Uni<Void> record(SqlConnection conn, Tenant tenant, long now, List<? extends CafEvent> events) {
        return outbox.insert(conn, tenant, events.get(0).executionId(), json(tenant, now, events), now);
    }

    /** Records an event on its own (a change that was one statement and had no event in it). */
    public Uni<Void> record(Tenant tenant, long now, CafEvent event) {
        return outbox.insert(pool, tenant, event.executionId(), json(tenant, now, event), now);
    }
}
