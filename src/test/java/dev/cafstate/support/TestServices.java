package dev.cafstate.support;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real services the tests run against: the local PostgreSQL (own database {@code caf_state_test}, created afresh
 * for each run), the local RabbitMQ behind a {@link TcpProxy} (so a test can cut it off), and S3Proxy started
 * in-process with a filesystem store under {@code target/}.
 */
public class TestServices implements QuarkusTestResourceLifecycleManager {

    /**
     * The test database, dropped and made again by each run; {@code -Dcafstate.test.database=<name>} gives a run its
     * own, so that two checkouts on one machine can run tests at once.
     */
    public static final String DATABASE = System.getProperty("cafstate.test.database", "caf_state_test");

    /**
     * Whether the app's reactive pool reaches PostgreSQL through a real PgBouncer in transaction mode
     * ({@code -Dcafstate.test.pgbouncer=true}; {@code .ci/run} runs the suite so): the proxy then sits between the
     * app and PgBouncer.
     */
    public static final boolean THROUGH_PGBOUNCER = Boolean.getBoolean("cafstate.test.pgbouncer");

    public static final String S3_IDENTITY = "test-identity";

    /** The bucket the transfer locations of the test profile share. */
    public static final String SHARED_BUCKET = "caf-shared-test";

    public static final String S3_CREDENTIAL = "test-credential";
    public static final String BUCKET = "caf-test-checkpoints";

    private static TcpProxy brokerProxy;
    private static TcpProxy databaseProxy;
    private static PgBouncer pgBouncer;
    private static TcpProxy storageProxy;
    private static S3Proxy s3;
    private static String s3Endpoint;
    private static Path s3Data;

    /** The proxy between the app and RabbitMQ. */
    public static TcpProxy broker() {
        return brokerProxy;
    }

    /** The proxy between the app's reactive pool and PostgreSQL (Flyway connects directly). */
    public static TcpProxy database() {
        return databaseProxy;
    }

    /** The proxy between the app and S3Proxy. */
    public static TcpProxy storage() {
        return storageProxy;
    }

    /** S3Proxy itself, bypassing the app's proxy: for a plain S3 client in tests. */
    public static String s3Endpoint() {
        return s3Endpoint;
    }

    /** Where S3Proxy's filesystem store keeps the objects ({@code <dir>/<bucket>/<key>}). */
    public static Path s3Data() {
        return s3Data;
    }

    @Override
    public Map<String, String> start() {
        try {
            createDatabase();
            brokerProxy = new TcpProxy("RabbitMQ", "127.0.0.1", 5672);
            if (THROUGH_PGBOUNCER) {
                pgBouncer = PgBouncer.start(20, 10, "pgbouncer-tests.log");
                System.out.println("the tests' reactive pool goes through PgBouncer on port " + pgBouncer.port);
            }
            databaseProxy = new TcpProxy("PostgreSQL", "127.0.0.1", THROUGH_PGBOUNCER ? pgBouncer.port : 5432);
            startS3();
            storageProxy =
                    new TcpProxy("S3", "127.0.0.1", URI.create(s3Endpoint).getPort());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test services: " + e.getMessage(), e);
        }
        Map<String, String> config = pairs(
                "rabbitmq-port",
                String.valueOf(brokerProxy.port()),
                "quarkus.datasource.reactive.url",
                "postgresql://127.0.0.1:" + databaseProxy.port() + "/" + DATABASE,
                "quarkus.datasource.jdbc.url",
                "jdbc:postgresql://127.0.0.1:5432/" + DATABASE,
                "quarkus.s3.endpoint-override",
                "http://127.0.0.1:" + storageProxy.port(),
                "quarkus.s3.aws.credentials.static-provider.access-key-id",
                S3_IDENTITY,
                "quarkus.s3.aws.credentials.static-provider.secret-access-key",
                S3_CREDENTIAL,
                "caf.s3.bucket",
                BUCKET,
                "caf.locations.direct.bucket",
                SHARED_BUCKET,
                "caf.locations.direct.prefix",
                "direct",
                "caf.locations.direct.endpoint",
                s3Endpoint,
                "caf.locations.direct.access-key-id",
                S3_IDENTITY,
                "caf.locations.direct.secret-access-key",
                S3_CREDENTIAL,
                "caf.locations.direct.access",
                "read-write");
        if (THROUGH_PGBOUNCER) {
            config.put("quarkus.datasource.reactive.postgresql.use-layer7-proxy", "true"); // what DB_PGBOUNCER sets
        }
        return config;
    }

    private static Map<String, String> pairs(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** Every run starts on a fresh database: no rows or migrations left over from an earlier run. */
    static void createDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", credentials())) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            c.createStatement().execute("CREATE DATABASE " + DATABASE);
        }
    }

    /** Runs SQL statements straight on the test database (bypassing the proxy), e.g. to make it refuse a write. */
    public static void sql(String... statements) throws Exception {
        try (Connection c =
                DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + DATABASE, credentials())) {
            for (String statement : statements) {
                c.createStatement().execute(statement);
            }
        }
    }

    /** The first column of the first row of a query straight on the test database, as text (null for no row). */
    public static String query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + DATABASE, credentials());
                ResultSet r = c.createStatement().executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private static Properties credentials() {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", "postgres");
        return props;
    }

    /** Every run also starts on empty buckets, as the database does: nothing an earlier run wrote is listed. */
    private static void startS3() throws Exception {
        Path dir = Path.of("target", "s3proxy-data").toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        s3Data = dir;
        Properties properties = new Properties();
        properties.setProperty(
                "jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        BlobStoreContext context =
                ContextBuilder.newBuilder("filesystem").overrides(properties).build(BlobStoreContext.class);
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        s3Endpoint = "http://127.0.0.1:" + port;
        s3 = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create(s3Endpoint))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3_IDENTITY, S3_CREDENTIAL)
                .ignoreUnknownHeaders(true)
                .build();
        s3.start();
        context.getBlobStore().createContainerInLocation(null, SHARED_BUCKET);
        for (int i = 0; i < 100 && !"STARTED".equals(s3.getState()); i++) {
            Thread.sleep(50);
        }
    }

    @Override
    public void stop() {
        try {
            for (TcpProxy proxy : new TcpProxy[] {brokerProxy, databaseProxy, storageProxy}) {
                if (proxy != null) {
                    proxy.close();
                }
            }
            if (s3 != null) {
                s3.stop();
            }
            if (pgBouncer != null) {
                pgBouncer.close();
            }
        } catch (Exception e) {
            // best effort at the end of the run
        }
    }
}
