package dev.cafstate.events;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The time-partitioned outbox: partitions exist ahead of the clock, events land in the current
 * one, and a partition is dropped whole once every event in it is published and past retention, never before.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class OutboxPartitionsTest {

    @Inject
    OutboxPartitions partitions;

    static List<String> column(String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "postgres");
        try (Connection c =
                        DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestServices.DATABASE, p);
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    @Test
    void eventsLandInTheCurrentPartitionAndPartitionsExistAhead() throws Exception {
        // the test profile's partitions are an hour wide: at least 10 minutes ahead means 3 of them
        partitions.maintain().await().indefinitely();
        long now = System.currentTimeMillis();
        List<String> names = column("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'outbox_events'::regclass ORDER BY 1");
        long ahead = names.stream()
                .filter(n -> n.matches("outbox_events_p\\d+_\\d+"))
                .filter(n -> Long.parseLong(n.split("_")[3]) > now)
                .count();
        assertThat(ahead).isGreaterThanOrEqualTo(3);
        String tenant = newTenant();
        String id = newExecution(tenant);
        List<String> where = column("SELECT DISTINCT tableoid::regclass::text FROM outbox_events WHERE tenant = '"
                + tenant + "' AND execution_id = '" + id + "'");
        assertThat(where).hasSize(1);
        assertThat(where.get(0)).startsWith("outbox_events_p");
    }

    static List<String> attached() throws Exception {
        return column("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'outbox_events'::regclass");
    }

    @Test
    void oldPartitionsAreDroppedWholeOnlyWhenEveryEventInThemIsPublished() throws Exception {
        // two partitions far in the past
        TestServices.sql(
                "CREATE TABLE outbox_events_p1000_2000 (LIKE outbox_events INCLUDING DEFAULTS)",
                "ALTER TABLE outbox_events ATTACH PARTITION outbox_events_p1000_2000 FOR VALUES FROM (1000) TO (2000)",
                "CREATE TABLE outbox_events_p2000_3000 (LIKE outbox_events INCLUDING DEFAULTS)",
                "ALTER TABLE outbox_events ATTACH PARTITION outbox_events_p2000_3000 FOR VALUES FROM (2000) TO (3000)");
        TestServices.broker().cut(); // nothing gets published meanwhile
        try {
            TestServices.sql(
                    "INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at, "
                            + "published_at) VALUES (gen_random_uuid(), 'old', 'e', 1, 'x', '{}', 1500, 1600)",
                    "INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at) "
                            + "VALUES (gen_random_uuid(), 'old', 'e', 2, 'x', '{}', 2500)",
                    "INSERT INTO event_sequences (tenant, execution_id, last) VALUES ('old', 'e', 2)");
            // a round of the replica's own schedule may hold the job's lease: maintain until a round of ours ran
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                partitions.maintain().await().indefinitely();
                return !attached().contains("outbox_events_p1000_2000");
            });
            assertThat(attached()).contains("outbox_events_p2000_3000");
            assertThat(column("SELECT created_at FROM outbox_events WHERE tenant = 'old' ORDER BY 1"))
                    .containsExactly("2500");
            // the execution has events left: its counter stays
            assertThat(column("SELECT last FROM event_sequences WHERE tenant = 'old'"))
                    .containsExactly("2");
        } finally {
            TestServices.broker().open();
        }
        // once published, the second one goes too
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> column("SELECT published_at FROM outbox_events WHERE tenant = 'old'").stream()
                        .allMatch(v -> v != null));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            partitions.maintain().await().indefinitely();
            return !attached().contains("outbox_events_p2000_3000");
        });
        assertThat(column("SELECT count(*) FROM outbox_events WHERE tenant = 'old'"))
                .containsExactly("0");
        // neither the execution nor any of its events is left: its counter goes; a living execution's stays
        String tenant = newTenant();
        String living = newExecution(tenant);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            partitions.maintain().await().indefinitely();
            return column("SELECT count(*) FROM event_sequences WHERE tenant = 'old'")
                    .equals(List.of("0"));
        });
        assertThat(column("SELECT last FROM event_sequences WHERE tenant = '" + tenant + "' AND execution_id = '"
                        + living + "'"))
                .containsExactly("1");
        as(newTenant()).get("/api/v1/executions").then().statusCode(200);
    }
}
