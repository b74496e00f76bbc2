package dev.cafstate.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.cafstate.support.Migrations;
import dev.cafstate.support.PackagedApp;
import dev.cafstate.support.TestServices;

/**
 * A database written by the catalog's first version (one thought and tool-call row per checkpoint, schema V12)
 * migrates to the second (rows shared as ranges of each execution's checkpoints) and every checkpoint still has
 * exactly the rows it had. Plain JDBC and Flyway on a database of its own; no service runs.
 */
class CatalogMigrationTest {

    static final String DB = TestServices.DATABASE + "_migration";

    static void checkpoint(Statement s, String execution, String id, long createdAt) throws SQLException {
        s.execute("INSERT INTO checkpoints (tenant, id, execution_id, agent_id, ts, checkpoint_reason, step_number, "
                + "tokens_used, duration_ms, object_key, sha256, content_sha256, size_bytes, schema_version, "
                + "step_count, tool_call_count, created_at) VALUES ('t', '" + id + "', '" + execution + "', 'a', "
                + createdAt + ", 'manual', 1, 1, 1, 'k/" + id + "', 'x', 'x', 1, '0.0.1', 0, 0, " + createdAt + ")");
    }

    static void thought(Statement s, String checkpoint, int seq, String id, String content) throws SQLException {
        s.execute("INSERT INTO checkpoint_thoughts (tenant, checkpoint_id, id, seq, type, content, confidence, "
                + "children_json, metadata_json, created_at) VALUES ('t', '" + checkpoint + "', '" + id + "', " + seq
                + ", 'planning', '" + content + "', 0.5, '[]', '{\"b\":1,\"a\":2}', 7)");
    }

    static void call(Statement s, String checkpoint, int seq, String id, String status) throws SQLException {
        s.execute("INSERT INTO checkpoint_tool_calls (tenant, checkpoint_id, id, seq, tool_id, status, arguments_json, "
                + "result_json, ts, checkpoint_ts) VALUES ('t', '" + checkpoint + "', '" + id + "', " + seq
                + ", 'bash', '" + status + "', '{\"z\":1,\"y\":null}', 'null', 5, 1)");
    }

    /** Checkpoint id to its rows as "seq:id:content" (thoughts) and "seq:id:status" (calls), in order. */
    static Map<String, List<String>> rowsByCheckpoint(Connection c, boolean migrated) throws SQLException {
        String thoughts = migrated
                ? "SELECT k.id AS cp, t.seq || ':' || t.id || ':' || t.content || ':' || t.metadata_json::text"
                        + " FROM checkpoints k JOIN catalog_thoughts t ON t.tenant = k.tenant"
                        + " AND t.execution_id = k.execution_id AND t.from_cseq <= k.cseq"
                        + " AND (t.to_cseq IS NULL OR t.to_cseq >= k.cseq) ORDER BY 1, t.seq"
                : "SELECT checkpoint_id, seq || ':' || id || ':' || content || ':' || metadata_json::text"
                        + " FROM checkpoint_thoughts ORDER BY 1, seq";
        String calls = migrated
                ? "SELECT k.id AS cp, t.seq || ':' || t.id || ':' || t.status || ':' || t.arguments_json::text"
                        + " FROM checkpoints k JOIN catalog_tool_calls t ON t.tenant = k.tenant"
                        + " AND t.execution_id = k.execution_id AND t.from_cseq <= k.cseq"
                        + " AND (t.to_cseq IS NULL OR t.to_cseq >= k.cseq) ORDER BY 1, t.seq"
                : "SELECT checkpoint_id, seq || ':' || id || ':' || status || ':' || arguments_json::text"
                        + " FROM checkpoint_tool_calls ORDER BY 1, seq";
        Map<String, List<String>> out = new TreeMap<>();
        for (String sql : List.of(thoughts, calls)) {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }

    static long count(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void rowsOfTheFirstVersionBecomeSharedRangesAndEveryCheckpointKeepsItsRows() throws Exception {
        PackagedApp.recreateDatabase(DB);
        Migrations.flyway(DB, "12").migrate();
        Map<String, List<String>> before;
        try (Connection c = PackagedApp.database(DB);
                Statement s = c.createStatement()) {
            // e1: a run of four checkpoints; step x changes and changes back (two islands of one content), step b
            // is revised, c comes late; a tool call finishes; e2: one checkpoint
            String[][] chain = {
                {"c1", "a=A", "x=v1"},
                {"c2", "a=A", "x=v2", "b=B"},
                {"c3", "a=A", "x=v1", "b=B2", "c=C"},
                {"c4", "a=A", "x=v1", "b=B2", "c=C"}
            };
            long at = 1000;
            for (String[] cp : chain) {
                checkpoint(s, "e1", cp[0], at += 10);
                for (int i = 1; i < cp.length; i++) {
                    String[] idAndContent = cp[i].split("=");
                    thought(s, cp[0], i, idAndContent[0], idAndContent[1]);
                }
            }
            call(s, "c3", 1, "k1", "completed");
            call(s, "c4", 1, "k1", "completed");
            call(s, "c4", 2, "k2", "failed");
            checkpoint(s, "e2", "d1", 500);
            thought(s, "d1", 1, "a", "A");
            before = rowsByCheckpoint(c, false);
        }

        Migrations.flyway(DB, "latest").migrate();
        try (Connection c = PackagedApp.database(DB)) {
            assertThat(rowsByCheckpoint(c, true)).isEqualTo(before);
            // 13 thought rows of e1 become 7 (a; x=v1 as two ranges and x=v2; b and b2; c), and e2 keeps its one
            assertThat(count(c, "SELECT count(*) FROM catalog_thoughts WHERE execution_id = 'e1'"))
                    .isEqualTo(7);
            assertThat(count(c, "SELECT count(*) FROM catalog_thoughts WHERE execution_id = 'e2'"))
                    .isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM catalog_tool_calls")).isEqualTo(2);
            // the newest checkpoint's rows are open, so that the next checkpoint shares them
            assertThat(count(c, "SELECT count(*) FROM catalog_thoughts WHERE execution_id = 'e1' AND to_cseq IS NULL"))
                    .isEqualTo(4);
            assertThat(count(c, "SELECT count(*) FROM checkpoints WHERE cseq IS NULL"))
                    .isZero();
            assertThat(count(c, "SELECT cseq FROM checkpoints WHERE id = 'c3'")).isEqualTo(3);
        }
        try (Connection admin = PackagedApp.database("postgres")) {
            admin.createStatement().execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        }
    }
}
