package dev.cafstate.events;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Listens on PostgreSQL channel {@code caf_outbox} (notified by a trigger at every outbox insert, delivered at
 * commit) and wakes the relay and this replica's SSE streams of the execution concerned. Any replica sees the
 * changes made through any other.
 */
@ApplicationScoped
public class OutboxNotifications {

    private final Vertx vertx;
    private final OutboxRelay relay;
    private final ObjectMapper mapper;
    private final String url;
    private final String user;
    private final String password;
    private final Map<String, Set<Runnable>> watchers = new ConcurrentHashMap<>();
    private PgSubscriber subscriber;

    public OutboxNotifications(Vertx vertx, OutboxRelay relay, ObjectMapper mapper,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username", defaultValue = "postgres") String user,
            @ConfigProperty(name = "quarkus.datasource.password", defaultValue = "") String password) {
        this.vertx = vertx;
        this.relay = relay;
        this.mapper = mapper;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    void start(@Observes StartupEvent event) {
        String uri = url.startsWith("vertx-reactive:") ? url.substring("vertx-reactive:".length()) : url;
        PgConnectOptions options = PgConnectOptions.fromUri(uri.split(",")[0]).setUser(user).setPassword(password);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1000L);
        subscriber.channel("caf_outbox").handler(this::dispatch);
        subscriber.connect().subscribe().with(ok -> Log.debug("listening on caf_outbox"),
                failure -> Log.warnf("cannot LISTEN yet (%s); SSE and relay fall back to polling", failure.toString()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.closeAndAwait();
        }
    }

    /**
     * Calls {@code callback} whenever an event of that execution is committed.
     *
     * @return the action that stops watching
     */
    public Runnable watch(String tenant, String executionId, Runnable callback) {
        String key = key(tenant, executionId);
        watchers.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(callback);
        return () -> watchers.computeIfPresent(key, (k, set) -> {
            set.remove(callback);
            return set.isEmpty() ? null : set;
        });
    }

    private void dispatch(String payload) {
        relay.wake();
        try {
            JsonNode ids = mapper.readTree(payload);
            Set<Runnable> set = watchers.get(key(ids.get(0).asText(), ids.get(1).asText()));
            if (set != null) {
                set.forEach(Runnable::run);
            }
        } catch (Exception e) {
            Log.debugf("ignoring notification %s: %s", payload, e.toString());
        }
    }

    private static String key(String tenant, String executionId) {
        return tenant + '\u0000' + executionId;
    }
}
