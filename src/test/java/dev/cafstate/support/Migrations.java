package dev.cafstate.support;

import org.flywaydb.core.Flyway;

/** The service's Flyway migrations on a database of this machine's PostgreSQL, up to a version: for migration tests. */
public final class Migrations {

    private Migrations() {}

    /** Flyway on database {@code db} that migrates up to {@code target} (a version, or {@code latest}). */
    public static Flyway flyway(String db, String target) {
        return Flyway.configure()
                .dataSource("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "postgres")
                .locations("classpath:db/migration")
                .target(target)
                .load();
    }
}
