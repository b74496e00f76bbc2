package dev.cafstate.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cafstate.support.Migrations;
import dev.cafstate.support.PackagedApp;
import dev.cafstate.support.TestServices;

/**
 * An outbox written before events were numbered per execution (schema V13) migrates to V14: the retained events get
 * 1, 2, 3, ... per execution in their old order, each CloudEvents JSON its {@code sequence} member, the counters
 * go on from there, and an event inserted the old way (a pod of the previous release during the rolling upgrade)
 * is numbered by the trigger. Plain JDBC and Flyway on a database of its own; no service runs.
 */
class EventSequenceMigrationTest {

    static final String DB = TestServices.DATABASE + "_sequence_migration";

    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet r = c.createStatement().executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    /** An event as a pod of the previous release inserts it: no sequence. */
    static void oldEvent(Statement s, String execution, String payload, long createdAt) throws SQLException {
        s.execute("INSERT INTO outbox_events (event_id, tenant, execution_id, type, payload, created_at) VALUES "
                + "(gen_random_uuid(), 't', '" + execution + "', 'x', '" + payload + "', " + createdAt + ")");
    }

    @Test
    void retainedEventsAreNumberedAndTheOldWayOfInsertingStillNumbersThem() throws Exception {
        PackagedApp.recreateDatabase(DB);
        Migrations.flyway(DB, "13").migrate();
        try (Connection c = PackagedApp.database(DB);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE outbox_events_p1000_2000 (LIKE outbox_events INCLUDING DEFAULTS)");
            s.execute(
                    "ALTER TABLE outbox_events ATTACH PARTITION outbox_events_p1000_2000 FOR VALUES FROM (1000) TO (2000)");
            oldEvent(s, "a", "{\"id\":\"1\",\"data\":{\"k\":[1,2]}}", 1010);
            oldEvent(s, "b", "{\"id\":\"2\"}", 1011);
            oldEvent(s, "a", " {\"id\":\"3\"}\n", 1012); // whitespace around it
            oldEvent(s, "a", "{}", 1013); // never written by the service, but valid JSON: numbered all the same
        }
        Migrations.flyway(DB, "14").migrate();
        try (Connection c = PackagedApp.database(DB);
                Statement s = c.createStatement()) {
            assertThat(rows(
                            c,
                            "SELECT execution_id || ' ' || sequence || ' ' || payload::text FROM outbox_events"
                                    + " ORDER BY seq"))
                    .containsExactly(
                            "a 1 {\"id\":\"1\",\"data\":{\"k\":[1,2]},\"sequence\":\"0000000000000000001\"}",
                            "b 1 {\"id\":\"2\",\"sequence\":\"0000000000000000001\"}",
                            "a 2 {\"id\":\"3\",\"sequence\":\"0000000000000000002\"}",
                            "a 3 {\"sequence\":\"0000000000000000003\"}");
            assertThat(rows(c, "SELECT execution_id || ' ' || last FROM event_sequences ORDER BY 1"))
                    .containsExactly("a 3", "b 1");
            // a pod of the previous release goes on inserting without a number: the trigger numbers it
            oldEvent(s, "a", "{\"id\":\"4\"}", 1014);
            oldEvent(s, "c", "{\"id\":\"5\"}", 1015);
            assertThat(rows(
                            c,
                            "SELECT execution_id || ' ' || sequence || ' ' || payload::text FROM outbox_events"
                                    + " WHERE created_at >= 1014 ORDER BY seq"))
                    .containsExactly(
                            "a 4 {\"id\":\"4\",\"sequence\":\"0000000000000000004\"}",
                            "c 1 {\"id\":\"5\",\"sequence\":\"0000000000000000001\"}");
            // one that comes with its number is left as it is
            s.execute("INSERT INTO outbox_events (event_id, tenant, execution_id, sequence, type, payload, created_at)"
                    + " VALUES (gen_random_uuid(), 't', 'd', 7, 'x', '{\"id\":\"6\"}', 1016)");
            assertThat(rows(c, "SELECT sequence || ' ' || payload::text FROM outbox_events WHERE execution_id = 'd'"))
                    .containsExactly("7 {\"id\":\"6\"}");
            assertThat(rows(c, "SELECT count(*) FROM event_sequences WHERE execution_id = 'd'"))
                    .containsExactly("0");
        }
        Migrations.flyway(DB, "latest").migrate();
    }
}
