package dev.cafstate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.events.CloudEvents;
import dev.cafstate.support.BrokerTap;
import dev.cafstate.support.PackagedApp;
import dev.cafstate.support.PgBouncer;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Three replicas of the packaged app on one database through one real PgBouncer in transaction mode (Flyway and the
 * health checks too), as a Deployment past the database's connection budget runs them. A rolling restart done with
 * SIGTERM while clients keep sending to every replica leaves no write that committed without an answer, loses no
 * answered one, and every execution's events reach the broker numbered 1, 2, 3, ... in order. Retention and the
 * reconciler run on all three at once count exactly what was deleted. PostgreSQL never sees more connections than
 * PgBouncer's pool, whatever the replicas' pools.
 */
class ScaleOutIT {

    static final TestServices SERVICES = new TestServices();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String TENANT = "scale-" + RUN;
    static final String DB = "caf_state_it_scale";
    static final String BUCKET = "caf-it-scale";
    static final String EXCHANGE = "caf.events.it-scale-" + RUN;
    /** PgBouncer's server connections for the database: fewer than the three replicas' pools (3 x 10). */
    static final int BOUNCER_POOL = 12;

    static PgBouncer bouncer;
    static final List<PackagedApp> replicas = new ArrayList<>();

    static PackagedApp replica(String name) throws IOException {
        PackagedApp app = new PackagedApp(name, "scale-out-it-" + name + ".log")
                .onLocalServices(DB, 10, BUCKET)
                .ownBroker("scale-" + RUN);
        app.env.put("DB_REACTIVE_URL", bouncer.reactiveUrl(DB));
        app.env.put("DB_JDBC_URL", bouncer.jdbcUrl(DB));
        app.env.put("DB_PGBOUNCER", "true");
        app.env.put("DB_POOL_IDLE_TIMEOUT", "2s");
        app.env.put("SHUTDOWN_DELAY", "2s");
        app.env.put("CAF_CHECKPOINTS_KEEP_LAST", "2");
        return app;
    }

    @BeforeAll
    static void start() throws Exception {
        SERVICES.start();
        PackagedApp.recreateDatabase(DB);
        bouncer = PgBouncer.start(BOUNCER_POOL, 3, "scale-out-it-pgbouncer.log");
        for (String name : new String[] {"a", "b", "c"}) {
            PackagedApp app = replica(name);
            replicas.add(app);
            app.start(); // the first migrates the database (Flyway through PgBouncer)
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (PackagedApp app : replicas) {
            app.stop();
        }
        if (bouncer != null) {
            bouncer.close();
        }
        SERVICES.stop();
    }

    static Connection db() throws Exception {
        return PackagedApp.database(DB);
    }

    static List<String> executions(String prefix, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String e = prefix + "-" + i;
            assertThat(replicas.get(i % 3)
                            .call(TENANT, "POST", "/api/v1/executions", "{\"id\":\"" + e + "\",\"agent_id\":\"x\"}")
                            .status())
                    .isEqualTo(201);
            ids.add(e);
        }
        return ids;
    }

    @Test
    void aRollingRestartUnderLoadLeavesNoCommittedWriteUnansweredAndEventsInSequence() throws Exception {
        Map<String, String> outcomes = new ConcurrentHashMap<>(); // "<execution>/<step>" -> status or "no answer"
        AtomicBoolean go = new AtomicBoolean(true);
        int clients = 6;
        long peakBackends = 0;
        try (BrokerTap tap = new BrokerTap(EXCHANGE, TENANT + ".#");
                Connection c = db()) {
            List<String> executions = executions("roll", 12); // once the tap listens: their agent.started too
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                int client = t;
                // every client goes round every replica, stopping or not: nobody takes traffic away first
                done.add(pool.submit(() -> {
                    for (int i = 0; go.get(); i++) {
                        PackagedApp app = replicas.get((client + i) % replicas.size());
                        String execution = executions.get((client * 7 + i) % executions.size());
                        String step = "c" + client + "-" + i;
                        try {
                            int status = app.call(
                                            TENANT,
                                            "POST",
                                            "/api/v1/executions/" + execution + "/thoughts",
                                            "{\"id\":\"" + step + "\",\"type\":\"reasoning\",\"content\":\"x\","
                                                    + "\"confidence\":0.5}")
                                    .status();
                            outcomes.put(execution + "/" + step, String.valueOf(status));
                        } catch (Exception e) {
                            outcomes.put(execution + "/" + step, "no answer: " + e);
                            pause(20); // a refused connection comes back at once
                        }
                    }
                }));
            }
            Follower follower = new Follower(executions.get(0));
            follower.start();
            Thread.sleep(3000);
            List<String> restarts = new ArrayList<>();
            for (PackagedApp app : replicas) {
                long t0 = System.nanoTime();
                app.stop(); // SIGTERM, then the exit
                long stopped = System.nanoTime();
                peakBackends = Math.max(peakBackends, PackagedApp.sessions(c, DB));
                app.start();
                restarts.add("%s stopped in %d ms, ready again %d ms later"
                        .formatted(app.name, (stopped - t0) / 1_000_000, (System.nanoTime() - stopped) / 1_000_000));
                peakBackends = Math.max(peakBackends, PackagedApp.sessions(c, DB));
            }
            Thread.sleep(2000);
            peakBackends = Math.max(peakBackends, PackagedApp.sessions(c, DB));
            go.set(false);
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            Set<String> committed = new HashSet<>();
            try (ResultSet r = c.createStatement()
                    .executeQuery("SELECT execution_id || '/' || id FROM runtime_thoughts WHERE tenant = '" + TENANT
                            + "' AND execution_id LIKE 'roll-%'")) {
                while (r.next()) {
                    committed.add(r.getString(1));
                }
            }
            Map<String, Integer> byOutcome = new TreeMap<>();
            List<String> lost = new ArrayList<>();
            List<String> unanswered = new ArrayList<>();
            List<String> refusedButWritten = new ArrayList<>();
            outcomes.forEach((key, outcome) -> {
                String kind = outcome.startsWith("no answer")
                        ? outcome.replaceAll(":.*", "") + " (" + outcome.replaceAll("^no answer: ([^:]+).*", "$1") + ")"
                        : outcome;
                byOutcome.merge(kind, 1, Integer::sum);
                if (outcome.equals("201") && !committed.contains(key)) {
                    lost.add(key);
                } else if (outcome.startsWith("no answer") && committed.contains(key)) {
                    unanswered.add(key + " " + outcome);
                } else if (!outcome.equals("201") && !outcome.startsWith("no answer") && committed.contains(key)) {
                    refusedButWritten.add(key + " " + outcome);
                }
            });
            System.out.printf(
                    "ScaleOutIT: rolling restart of 3 replicas under %d clients: %s; requests %s; committed %d; "
                            + "committed without an answer %d; answered but lost %d; PostgreSQL backends at most %d "
                            + "(PgBouncer pool %d, replica pools 3 x 10)%n",
                    clients,
                    restarts,
                    byOutcome,
                    committed.size(),
                    unanswered.size(),
                    lost.size(),
                    peakBackends,
                    BOUNCER_POOL);
            assertThat(lost).as("answered 201 but not stored").isEmpty();
            assertThat(unanswered).as("stored but their client got no answer").isEmpty();
            assertThat(refusedButWritten).as("refused but stored").isEmpty();
            assertThat(byOutcome.getOrDefault("201", 0)).isGreaterThan(200);
            assertThat(byOutcome.keySet())
                    .as("answers other than 201 are 503s of a stopping replica")
                    .allMatch(k -> k.equals("201") || k.equals("503") || k.startsWith("no answer"));
            assertThat(peakBackends)
                    .as("PostgreSQL sees PgBouncer's pool, not the replicas'")
                    .isLessThanOrEqualTo(BOUNCER_POOL + 3);

            // every event reached the broker; per execution, first deliveries numbered 1, 2, 3, ... in order
            int expected = committed.size() + executions.size(); // one thought.created each, one agent.started each
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> firstDeliveries(tap).values().stream()
                                    .mapToInt(List::size)
                                    .sum()
                            >= expected);
            Map<String, List<Long>> numbers = firstDeliveries(tap);
            for (String e : executions) {
                List<Long> got = numbers.get(e);
                assertThat(got).as("events of " + e).isNotNull();
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).as("event %d of %s", i + 1, e).isEqualTo(i + 1L);
                }
            }
            assertThat(numbers.values().stream().mapToInt(List::size).sum()).isEqualTo(expected);

            // a stream follower that resumed on the next replica whenever its own stopped saw every event once
            int onFirst = numbers.get(executions.get(0)).size();
            await().atMost(Duration.ofSeconds(30)).until(() -> follower.received.size() >= onFirst);
            follower.close();
            System.out.printf(
                    "ScaleOutIT: an event stream of %s followed across the restart with Last-Event-ID: %d events over"
                            + " %d streams%n",
                    executions.get(0), follower.received.size(), follower.streams);
            for (int i = 0; i < follower.received.size(); i++) {
                assertThat(follower.received.get(i)).isEqualTo(i + 1L);
            }
            assertThat(follower.received).hasSize(onFirst);
            assertThat(follower.streams)
                    .as("streams: one per replica it went to")
                    .isGreaterThanOrEqualTo(2);
        }
        for (PackagedApp app : replicas) {
            List<String> errors = Files.readAllLines(Path.of("target", "scale-out-it-" + app.name + ".log")).stream()
                    .filter(line -> line.contains(" ERROR ")
                            || line.contains("Pool closed")
                            || line.contains("NullPointerException"))
                    .toList();
            assertThat(errors)
                    .as("errors and shutdown noise logged by " + app.name)
                    .isEmpty();
        }
    }

    /**
     * Follows an execution's event stream as an agent would: when the stream ends or breaks, it reconnects to the next
     * replica with {@code Last-Event-ID}. Keeps the numbers of the events it received.
     */
    static final class Follower extends Thread {
        final String execution;
        final List<Long> received = new CopyOnWriteArrayList<>();
        volatile int streams;
        private volatile boolean open = true;
        private volatile InputStream current;

        Follower(String execution) {
            this.execution = execution;
            setDaemon(true);
        }

        @Override
        public void run() {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            for (int i = 0; open; i++) {
                PackagedApp app = replicas.get(i % replicas.size());
                try {
                    HttpRequest.Builder request = HttpRequest.newBuilder(
                                    app.uri("/api/v1/executions/" + execution + "/events"))
                            .header("Authorization", "Bearer " + PackagedApp.token(TENANT));
                    if (!received.isEmpty()) {
                        request.header("Last-Event-ID", CloudEvents.sequence(received.get(received.size() - 1)));
                    }
                    HttpResponse<InputStream> response =
                            http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() != 200) {
                        response.body().close();
                        pause(100);
                        continue;
                    }
                    streams++;
                    current = response.body();
                    try (BufferedReader reader =
                            new BufferedReader(new InputStreamReader(current, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            if (line.startsWith("id:")) {
                                received.add(Long.parseLong(line.substring(3).trim()));
                            }
                        }
                    }
                } catch (Exception e) {
                    pause(100); // that replica is down: the next one
                }
            }
        }

        void close() throws Exception {
            open = false;
            InputStream in = current;
            if (in != null) {
                in.close();
            }
            join(5000);
        }
    }

    /**
     * Each execution's event numbers in the order of their first delivery (redeliveries left out: a number delivered
     * again must carry the same event id).
     */
    static Map<String, List<Long>> firstDeliveries(BrokerTap tap) throws Exception {
        Map<String, List<Long>> numbers = new HashMap<>();
        Map<String, String> seen = new HashMap<>();
        for (BrokerTap.Received r : tap.received()) {
            JsonNode event = JSON.readTree(r.body());
            String subject = event.get("subject").asText();
            String sequence = event.get("sequence").asText();
            String before =
                    seen.putIfAbsent(subject + "/" + sequence, event.get("id").asText());
            assertThat(before)
                    .as("event id of %s/%s", subject, sequence)
                    .isIn(null, event.get("id").asText());
            if (before == null) {
                numbers.computeIfAbsent(subject, k -> new ArrayList<>()).add(Long.parseLong(sequence));
            }
        }
        return numbers;
    }

    @Test
    void retentionAndTheReconcilerOnEveryReplicaAtOnceCountExactly() throws Exception {
        List<String> executions = executions("keep", 6);
        for (String e : executions) {
            for (int i = 0; i < 5; i++) { // 5 checkpoints each, of which retention keeps the newest 2
                PackagedApp app = replicas.get(i % 3);
                assertThat(app.call(
                                        TENANT,
                                        "POST",
                                        "/api/v1/executions/" + e + "/thoughts",
                                        "{\"type\":\"reasoning\",\"content\":\"k" + i + "\",\"confidence\":0.5}")
                                .status())
                        .isEqualTo(201);
                assertThat(app.call(TENANT, "POST", "/api/v1/executions/" + e + "/checkpoints", "{}")
                                .status())
                        .isEqualTo(201);
            }
        }
        String prefix = "tenants/" + TENANT + "/";
        int orphans = 15;
        try (S3Client s3 = Storage.client()) {
            for (int i = 0; i < orphans; i++) {
                String key = prefix + "executions/keep-0/checkpoints/ghost-" + i + "/0.json";
                s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("{}"));
            }
        }
        List<JsonNode> retention = onEveryReplicaAtOnce("/api/v1/maintenance/retention");
        int deleted = retention.stream().mapToInt(r -> r.get("deleted").asInt()).sum();
        List<JsonNode> reconcile = onEveryReplicaAtOnce("/api/v1/maintenance/reconcile?grace_seconds=0");
        int removed = reconcile.stream()
                .mapToInt(r -> r.get("orphans_removed").asInt())
                .sum();
        int rows;
        try (Connection c = db();
                ResultSet r = c.createStatement()
                        .executeQuery("SELECT count(*) FROM checkpoints WHERE tenant = '" + TENANT
                                + "' AND execution_id LIKE 'keep-%'")) {
            r.next();
            rows = r.getInt(1);
        }
        List<String> left;
        try (S3Client s3 = Storage.client()) {
            left = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "executions/keep-")).contents().stream()
                    .map(o -> o.key())
                    .filter(k -> !k.endsWith("/")) // S3Proxy's filesystem store keeps emptied folders
                    .toList();
        }
        System.out.printf(
                "ScaleOutIT: retention on 3 replicas at once reported %s (sum %d, 18 past retention); the reconciler"
                        + " %s (sum %d, %d orphans planted)%n",
                retention, deleted, reconcile, removed, orphans);
        assertThat(rows).isEqualTo(12);
        assertThat(deleted).as("deletions reported by the three").isEqualTo(18);
        assertThat(removed).as("orphans reported removed by the three").isEqualTo(orphans);
        assertThat(left).as("objects left: the kept checkpoints'").hasSize(12);
        // a second round on all three finds nothing left to do
        assertThat(onEveryReplicaAtOnce("/api/v1/maintenance/retention"))
                .allMatch(r -> r.get("deleted").asInt() == 0);
        assertThat(onEveryReplicaAtOnce("/api/v1/maintenance/reconcile?grace_seconds=0"))
                .allMatch(r -> r.get("orphans_removed").asInt() == 0);
    }

    /** POSTs {@code path} to the three replicas at the same moment; their answers (each must be a 200). */
    static List<JsonNode> onEveryReplicaAtOnce(String path) throws Exception {
        CyclicBarrier start = new CyclicBarrier(replicas.size());
        ExecutorService pool = Executors.newFixedThreadPool(replicas.size());
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (PackagedApp app : replicas) {
                answers.add(pool.submit(() -> {
                    start.await();
                    PackagedApp.Response r = app.call(TENANT, "POST", path, null);
                    assertThat(r.status()).as(app.name + ": " + r.text()).isEqualTo(200);
                    return r.json();
                }));
            }
            List<JsonNode> list = new ArrayList<>();
            for (Future<JsonNode> f : answers) {
                list.add(f.get(60, TimeUnit.SECONDS));
            }
            return list;
        } finally {
            pool.shutdownNow();
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
