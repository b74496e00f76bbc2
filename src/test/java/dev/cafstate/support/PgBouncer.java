package dev.cafstate.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A real PgBouncer (Debian's, 1.18) in transaction mode in front of this machine's PostgreSQL, for tests that run
 * the service the way a deployment past the connection budget would. Installed from Debian when missing (as root,
 * like the other services here); started on a free port with its own configuration and stopped on {@link #close()}.
 */
public final class PgBouncer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    public final int port;
    public final int poolSize;
    private final Path dir;
    private final Process process;

    private PgBouncer(int port, int poolSize, Path dir, Process process) {
        this.port = port;
        this.poolSize = poolSize;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts one whose pools hold at most {@code poolSize} server connections per database and user, closing those
     * idle for {@code serverIdleSeconds}; logs to {@code target/<log>}.
     */
    public static PgBouncer start(int poolSize, int serverIdleSeconds, String log) throws Exception {
        install();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        // readable by the user it runs as (postgres when started by root: it refuses to run as root)
        Path dir = Files.createTempDirectory(
                "caf-pgbouncer-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(dir.resolve("userlist.txt"), "\"postgres\" \"\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), """
                [databases]
                * = host=127.0.0.1 port=5432
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s
                admin_users = postgres
                pool_mode = transaction
                default_pool_size = %d
                min_pool_size = 0
                reserve_pool_size = 0
                max_client_conn = 2000
                server_idle_timeout = %d
                ignore_startup_parameters = extra_float_digits
                """.formatted(
                        port, dir.resolve("userlist.txt"), poolSize, serverIdleSeconds));
        for (String f : new String[] {"userlist.txt", "pgbouncer.ini"}) {
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
        }
        List<String> command = new ArrayList<>(List.of(BINARY.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "postgres"));
        }
        command.add(dir.resolve("pgbouncer.ini").toString());
        File file = Path.of("target", log).toFile();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(file))
                .start();
        PgBouncer bouncer = new PgBouncer(port, poolSize, dir, process);
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("pgbouncer exited; see target/" + log);
                    }
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        return true;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
        return bouncer;
    }

    /** Installs Debian's package when the binary is missing (root only; otherwise says what to do). */
    static synchronized void install() throws Exception {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("PgBouncer is missing: apt-get install pgbouncer (as root)");
        }
        System.out.println("PgBouncer is missing: installing Debian's package");
        for (String[] step : new String[][] {
            {"apt-get", "update", "-q"}, {"apt-get", "install", "-y", "-q", "--no-install-recommends", "pgbouncer"}
        }) {
            ProcessBuilder b = new ProcessBuilder(step).inheritIO();
            b.environment().put("DEBIAN_FRONTEND", "noninteractive");
            if (b.start().waitFor() != 0) {
                throw new IllegalStateException("could not install PgBouncer: " + String.join(" ", step) + " failed");
            }
        }
    }

    /** The reactive client's URL of database {@code db} through this PgBouncer. */
    public String reactiveUrl(String db) {
        return "postgresql://127.0.0.1:" + port + "/" + db;
    }

    /**
     * The JDBC URL of database {@code db} through this PgBouncer (plain: the app itself turns server-side prepared
     * statements off for Flyway's pool).
     */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    /** Server connections to PostgreSQL it holds for database {@code db}, in use or idle ({@code SHOW SERVERS}). */
    public int serverConnections(String db) throws Exception {
        return count("SHOW SERVERS", db);
    }

    /** Client connections it holds for database {@code db} ({@code SHOW CLIENTS}). */
    public int clientConnections(String db) throws Exception {
        return count("SHOW CLIENTS", db);
    }

    private int count(String show, String db) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("preferQueryMode", "simple"); // the admin console takes only the simple protocol
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/pgbouncer", p);
                ResultSet r = c.createStatement().executeQuery(show)) {
            int n = 0;
            while (r.next()) {
                if (db.equals(r.getString("database"))) {
                    n++;
                }
            }
            return n;
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
        for (String f : new String[] {"userlist.txt", "pgbouncer.ini"}) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
    }
}
