package dev.cafstate.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged app ({@code target/quarkus-app}) as a process of its own, for the ITs that run several instances: a
 * free port, the environment the test gives it (nothing inherited), its log under {@code target/}, and ways to start
 * it (until ready), stop it (SIGTERM), kill it (SIGKILL) or freeze and thaw it (SIGSTOP, SIGCONT).
 */
public class PackagedApp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public final String name;
    public final Map<String, String> env = new HashMap<>();
    public final int port;
    private final String log;
    private Process process;
    private int starts;

    /** An app named {@code name}, logging to {@code target/<log>}, on a free port ({@code PORT} set in its env). */
    public PackagedApp(String name, String log) throws IOException {
        this.name = name;
        this.log = log;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        env.put("PORT", String.valueOf(port));
    }

    /**
     * Points the app at this machine's services: PostgreSQL database {@code db} (pool of {@code poolSize}), RabbitMQ,
     * the tests' S3Proxy with {@code bucket} as its primary bucket (created at start), and the test key for JWTs.
     */
    public PackagedApp onLocalServices(String db, int poolSize, String bucket) {
        env.put("DB_REACTIVE_URL", "postgresql://127.0.0.1:5432/" + db);
        env.put("DB_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/" + db);
        env.put("DB_USER", "postgres");
        env.put("DB_PASSWORD", "postgres");
        env.put("DB_POOL_SIZE", String.valueOf(poolSize));
        env.put("RABBITMQ_HOST", "127.0.0.1");
        env.put("RABBITMQ_PORT", "5672");
        env.put("RABBITMQ_USER", "guest");
        env.put("RABBITMQ_PASSWORD", "guest");
        env.put("S3_ENDPOINT", TestServices.s3Endpoint());
        env.put("S3_PATH_STYLE", "true");
        env.put("S3_CREDENTIALS_TYPE", "static");
        env.put("QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", TestServices.S3_IDENTITY);
        env.put("QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", TestServices.S3_CREDENTIAL);
        env.put("QUARKUS_S3_CHUNKED_ENCODING", "false");
        env.put("CAF_S3_BUCKET", bucket);
        env.put("CAF_S3_CREATE_BUCKET", "true");
        env.put("JWT_ISSUER", "https://caf-state.test/issuer");
        env.put(
                "JWT_JWKS_URL",
                Path.of("src/test/resources/test-keys/publicKey.pem")
                        .toAbsolutePath()
                        .toString());
        env.put("JWT_AUDIENCE", "caf-state");
        return this;
    }

    /**
     * Gives the app exchanges and a notification queue of its own on the shared RabbitMQ ({@code caf.events.it-<name>},
     * {@code caf.bucket-notifications.it-<name>}), so that runs and apps do not see each other's messages.
     */
    public PackagedApp ownBroker(String name) {
        env.put("CAF_EVENTS_EXCHANGE", "caf.events.it-" + name);
        env.put("CAF_TRANSFER_NOTIFICATIONS_QUEUE", "caf.bucket-notifications.it-" + name);
        env.put("CAF_TRANSFER_NOTIFICATIONS_EXCHANGE", "caf.bucket-notifications.it-" + name);
        return this;
    }

    /** Sessions connected to database {@code db}, the asking connection's own left out. */
    public static long sessions(Connection c, String db) throws Exception {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            s.setString(1, db);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** A JDBC connection to database {@code db} of this machine's PostgreSQL. */
    public static Connection database(String db) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "postgres");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, p);
    }

    /** Drops database {@code db} (its sessions too) and creates it empty. */
    public static void recreateDatabase(String db) throws Exception {
        try (Connection c = database("postgres")) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            c.createStatement().execute("CREATE DATABASE " + db);
        }
    }

    /** Starts the app and waits until its readiness answers 200 (fails if it exits first). */
    public void start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-jar",
                "target/quarkus-app/quarkus-run.jar");
        builder.environment().clear();
        builder.environment().putAll(env);
        // a new log for this instance, then appended to by its restarts
        File file = Path.of("target", log).toFile();
        builder.redirectErrorStream(true)
                .redirectOutput(
                        starts == 0 ? ProcessBuilder.Redirect.to(file) : ProcessBuilder.Redirect.appendTo(file));
        process = builder.start();
        starts++;
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited; see target/" + log);
                    }
                    try {
                        return HTTP.send(
                                                HttpRequest.newBuilder(uri("/q/health/ready"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
    }

    /** Whether its process still runs. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** How many times it was started. */
    public int starts() {
        return starts;
    }

    /** Its process id (the JVM). */
    public long pid() {
        return process.pid();
    }

    /** kill -9: no shutdown hook runs, nothing is flushed. */
    public void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then waits for the exit. */
    public void stop() throws Exception {
        if (process != null && process.isAlive()) {
            signal("CONT"); // a frozen app cannot act on SIGTERM
            process.destroy();
            process.waitFor();
        }
    }

    /** Sends a signal by name ({@code STOP} freezes every thread, {@code CONT} resumes them). */
    public void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A token of {@code tenant} (roles agent and operator) for an hour, signed with the test key. */
    public static String token(String tenant) {
        long now = System.currentTimeMillis() / 1000;
        return Api.signed("{\"iss\":\"https://caf-state.test/issuer\",\"aud\":\"caf-state\","
                + "\"sub\":\"it\",\"tenant\":\"" + tenant + "\",\"groups\":[\"agent\",\"operator\"],\"iat\":"
                + now + ",\"exp\":" + (now + 3600) + "}");
    }

    /** A call with a token of {@code tenant} (roles agent and operator), signed with the test key. */
    public Response call(String tenant, String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token(tenant))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.body());
    }

    /** An answer: its status and body. */
    public record Response(int status, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() throws IOException {
            return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
        }
    }
}
