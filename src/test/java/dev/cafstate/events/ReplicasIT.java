package dev.cafstate.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.BrokerTap;
import dev.cafstate.support.PackagedApp;
import dev.cafstate.support.TestServices;

/**
 * Replicas of the packaged app on one database, one broker and one bucket, as a Deployment runs them. The relay's
 * holder is frozen (SIGSTOP) in the middle of a round, holding the relay's lock in an open transaction: the other
 * replica must take the relay over within seconds while the holder stays frozen, and once the holder thaws every event
 * of every execution must have reached the broker, its first delivery in the order the events were written. And the
 * replicas' pools give back the connections they stop using.
 */
class ReplicasIT {

    static final TestServices SERVICES = new TestServices();
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String TENANT = "replicas-" + RUN;
    static final String DB = "caf_state_it_replicas";
    static final String EXCHANGE = "caf.events.it-replicas-" + RUN;
    /** The relay's publish timeout here; its transaction may sit idle for this plus 2 s. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(1);

    static PackagedApp a;
    static PackagedApp b;

    static PackagedApp replica(String name) throws IOException {
        PackagedApp app = new PackagedApp(name, "replicas-it-" + name + ".log")
                .onLocalServices(DB, 10, "caf-it-replicas")
                .ownBroker("replicas-" + RUN);
        app.env.put("DB_POOL_IDLE_TIMEOUT", "2s");
        app.env.put("CAF_EVENTS_PUBLISH_TIMEOUT", PUBLISH_TIMEOUT.toMillis() + "ms");
        return app;
    }

    @BeforeAll
    static void replicas() throws Exception {
        SERVICES.start();
        PackagedApp.recreateDatabase(DB);
        a = replica("a");
        b = replica("b");
        a.start();
        b.start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (PackagedApp app : new PackagedApp[] {a, b}) {
            if (app != null) {
                app.stop();
            }
        }
        SERVICES.stop();
    }

    static Connection db() throws Exception {
        return PackagedApp.database(DB);
    }

    /** {@code n} new executions named {@code <prefix>-<run>-<i>}, made through replica a. */
    static List<String> executions(String prefix, int n) throws Exception {
        List<String> executions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String e = prefix + "-" + RUN + "-" + i;
            assertThat(a.call(TENANT, "POST", "/api/v1/executions", "{\"id\":\"" + e + "\",\"agent_id\":\"x\"}")
                            .status())
                    .isEqualTo(201);
            executions.add(e);
        }
        return executions;
    }

    /** Appends thoughts through one replica, round the executions, until told to stop; failures are collected. */
    static Thread writer(
            PackagedApp app, List<String> executions, AtomicBoolean go, AtomicInteger written, List<String> failures) {
        Thread t = new Thread(() -> {
            int i = 0;
            while (go.get()) {
                String e = executions.get(i++ % executions.size());
                try {
                    PackagedApp.Response r = app.call(
                            TENANT,
                            "POST",
                            "/api/v1/executions/" + e + "/thoughts",
                            "{\"type\":\"reasoning\",\"content\":\"" + app.name + i + "\",\"confidence\":0.5}");
                    if (r.status() == 201) {
                        written.incrementAndGet();
                    } else {
                        failures.add(app.name + ": " + r.status() + " " + r.text());
                    }
                } catch (Exception e2) {
                    failures.add(app.name + ": " + e2);
                }
            }
        });
        t.start();
        return t;
    }

    /** The backend holding the relay's lock in an open transaction, and its client's local port; null when none. */
    static long[] relayHolder(Connection c) throws Exception {
        long key = OutboxRelay.LOCK_KEY;
        try (PreparedStatement s = c.prepareStatement("""
                SELECT a.pid, a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid::text::bigint = ?
                  AND l.objid::text::bigint = ? AND l.objsubid = 1 AND a.state = 'idle in transaction'""")) {
            s.setLong(1, key >>> 32);
            s.setLong(2, key & 0xffffffffL);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? new long[] {r.getLong(1), r.getLong(2)} : null;
            }
        }
    }

    /** The process that holds the local end {@code port} of a connection to PostgreSQL ({@code ss}). */
    static long processOfPort(long port) throws Exception {
        // the destination too: an ephemeral port number is reused for connections to other destinations
        Process ss = new ProcessBuilder(
                        "ss", "-Htnp", "state", "established", "( sport = :" + port + " and dport = :5432 )")
                .start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        Matcher m = Pattern.compile("pid=(\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static boolean sessionAlive(Connection c, long pid) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            s.setLong(1, pid);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** Connections of the replicas to their database (the test's own excluded). */
    static long connections(Connection c) throws Exception {
        return PackagedApp.sessions(c, DB);
    }

    /** The replicas' connections by client (application_name). */
    static Map<String, Long> held(Connection c) throws Exception {
        Map<String, Long> held = new LinkedHashMap<>();
        try (ResultSet r = c.createStatement()
                .executeQuery("SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = '" + DB
                        + "' AND pid <> pg_backend_pid() GROUP BY 1 ORDER BY 1")) {
            while (r.next()) {
                held.put(r.getString(1), r.getLong(2));
            }
        }
        return held;
    }

    @Test
    void poolsCloseTheConnectionsTheyStopUsing() throws Exception {
        List<String> executions = executions("pool", 10);
        try (Connection c = db()) {
            AtomicBoolean go = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 10; w++) { // each replica's pool (10) in use
                List<String> one = List.of(executions.get(w));
                writers.add(writer(a, one, go, written, failures));
                writers.add(writer(b, one, go, written, failures));
            }
            long peak = 0;
            for (int i = 0; i < 30; i++) {
                peak = Math.max(peak, connections(c));
                Thread.sleep(100);
            }
            go.set(false);
            for (Thread t : writers) {
                t.join();
            }
            assertThat(failures).isEmpty();
            long busy = peak;
            long stopped = System.nanoTime();
            // both pools give back the connections unused for the idle timeout (2 s here): the JDBC pool (Flyway's,
            // at start) all of them, the reactive pools all but those their periodic work (relay, monitor, job
            // polls) still takes now and then, which the pool hands out first-free-first
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> held(c).getOrDefault("PostgreSQL JDBC Driver", 0L) == 0
                            && held(c).getOrDefault("vertx-pg-client", 0L) <= 8);
            System.out.printf(
                    "ReplicasIT: two replicas held %d connections under load (pools of 10), %d %d ms after it: %s%n",
                    busy, connections(c), (System.nanoTime() - stopped) / 1_000_000, held(c));
            assertThat(busy).as("connections under load").isGreaterThanOrEqualTo(12);
        }
    }

    static long unpublished(Connection c) throws Exception {
        try (ResultSet r =
                c.createStatement().executeQuery("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void aRelayHolderFrozenMidRoundIsTakenOverAndEveryEventArrivesInOrder() throws Exception {
        try (BrokerTap tap = new BrokerTap(EXCHANGE, "#");
                Connection c = db()) {
            List<String> executions = executions("relay", 4);
            AtomicBoolean goA = new AtomicBoolean(true);
            AtomicBoolean goB = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            Thread writerA = writer(a, executions, goA, written, failures);
            Thread writerB = writer(b, executions, goB, written, failures);

            // freeze the replica whose relay holds the lock in an open transaction, caught in the middle of a round
            PackagedApp frozen = null;
            long frozenSession = -1;
            long frozenAt = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (frozen == null && System.nanoTime() < deadline) {
                long[] holder = relayHolder(c);
                if (holder == null) {
                    Thread.sleep(5);
                    continue;
                }
                long pid = processOfPort(holder[1]);
                PackagedApp app = pid == a.pid() ? a : pid == b.pid() ? b : null;
                if (app == null) {
                    continue;
                }
                app.signal("STOP");
                frozenAt = System.nanoTime();
                Thread.sleep(300); // a holder that is not frozen ends its round long before this
                long[] still = relayHolder(c);
                if (still != null && still[0] == holder[0]) {
                    frozen = app;
                    frozenSession = holder[0];
                } else {
                    app.signal("CONT"); // its round had ended: try again
                }
            }
            assertThat(frozen)
                    .as("a relay holder caught in the middle of a round")
                    .isNotNull();
            PackagedApp live = frozen == a ? b : a;
            AtomicBoolean liveGo = live == a ? goA : goB;
            try {
                // the live replica takes the relay over while the holder stays frozen: its session is ended by the
                // database once idle past the bound, and every event written meanwhile is published
                Thread.sleep(1500);
                liveGo.set(false);
                (live == a ? writerA : writerB).join();
                long session = frozenSession;
                await().atMost(PUBLISH_TIMEOUT.plusSeconds(2 + 10))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> !sessionAlive(c, session));
                long takeoverMs = (System.nanoTime() - frozenAt) / 1_000_000;
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> unpublished(c) == 0);
                System.out.printf(
                        "ReplicasIT: relay holder %s frozen; its session ended after %d ms, backlog published after"
                                + " %d ms, %d appends so far%n",
                        frozen.name, takeoverMs, (System.nanoTime() - frozenAt) / 1_000_000, written.get());
            } finally {
                frozen.signal("CONT");
            }
            // the thawed replica writes and relays again; then both stop and everything is published
            Thread.sleep(2000);
            goA.set(false);
            goB.set(false);
            writerA.join();
            writerB.join();
            await().atMost(Duration.ofSeconds(20)).until(() -> unpublished(c) == 0);
            assertThat(failures)
                    .as("every append answered 201, the frozen replica's after it thawed")
                    .isEmpty();

            Map<String, List<String>> order = new LinkedHashMap<>();
            Map<String, String> executionOf = new LinkedHashMap<>();
            try (ResultSet r = c.createStatement()
                    .executeQuery("SELECT execution_id, event_id::text FROM outbox_events WHERE tenant = '" + TENANT
                            + "' AND execution_id LIKE 'relay-%' ORDER BY seq")) {
                while (r.next()) {
                    order.computeIfAbsent(r.getString(1), k -> new ArrayList<>())
                            .add(r.getString(2));
                    executionOf.put(r.getString(2), r.getString(1));
                }
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> tap.received().stream()
                            .map(BrokerTap.Received::messageId)
                            .collect(Collectors.toSet())
                            .containsAll(executionOf.keySet()));
            Map<String, Set<String>> firstDeliveries = new LinkedHashMap<>();
            for (BrokerTap.Received m : tap.received()) {
                String execution = executionOf.get(m.messageId());
                if (execution != null) {
                    firstDeliveries
                            .computeIfAbsent(execution, k -> new LinkedHashSet<>())
                            .add(m.messageId());
                }
            }
            for (String e : order.keySet()) {
                assertThat(new ArrayList<>(firstDeliveries.get(e)))
                        .as("events of " + e + ", first deliveries in the order they were written")
                        .containsExactlyElementsOf(order.get(e));
            }
        }
    }

    /**
     * A replica that gets SIGTERM: readiness goes down at once while it still answers for the shutdown delay, its open
     * event stream ends at the start of the delay (the client resumes elsewhere), it exits once the delay and the
     * drain are over, and it logs no error on the way.
     */
    @Test
    void aStoppingReplicaSaysSoEndsItsStreamsAndStillAnswers() throws Exception {
        PackagedApp c = replica("c");
        c.env.put("SHUTDOWN_DELAY", "3s");
        c.start();
        try {
            String e = "stop-" + RUN;
            assertThat(c.call(TENANT, "POST", "/api/v1/executions", "{\"id\":\"" + e + "\",\"agent_id\":\"x\"}")
                            .status())
                    .isEqualTo(201);
            HttpResponse<Stream<String>> stream = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(c.uri("/api/v1/executions/" + e + "/events"))
                                    .header("Authorization", "Bearer " + PackagedApp.token(TENANT))
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            AtomicLong streamEnded = new AtomicLong();
            Thread reader = new Thread(() -> {
                stream.body().forEach(line -> {});
                streamEnded.set(System.nanoTime());
            });
            reader.start();

            long term = System.nanoTime();
            c.signal("TERM");
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> c.call(TENANT, "GET", "/q/health/ready", null).status() == 503);
            long readinessDownMs = (System.nanoTime() - term) / 1_000_000;
            // still answering while the delay runs, though its readiness is down
            assertThat(c.call(
                                    TENANT,
                                    "POST",
                                    "/api/v1/executions/" + e + "/thoughts",
                                    "{\"type\":\"reasoning\",\"content\":\"late\",\"confidence\":0.5}")
                            .status())
                    .isEqualTo(201);
            reader.join(Duration.ofSeconds(2).toMillis());
            assertThat(streamEnded.get())
                    .as("the event stream ended at the start of the delay")
                    .isNotZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> !c.alive());
            System.out.printf(
                    "ReplicasIT: after SIGTERM readiness down in %d ms, event stream ended after %d ms, exit after %d"
                            + " ms%n",
                    readinessDownMs, (streamEnded.get() - term) / 1_000_000, (System.nanoTime() - term) / 1_000_000);
            List<String> errors = Files.readAllLines(Path.of("target", "replicas-it-c.log")).stream()
                    .filter(line -> line.contains(" ERROR "))
                    .toList();
            assertThat(errors).as("errors logged by a clean stop").isEmpty();
        } finally {
            c.stop();
        }
    }
}
