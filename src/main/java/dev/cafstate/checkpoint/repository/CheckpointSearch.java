package dev.cafstate.checkpoint.repository;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of {@code GET /checkpoints}: the filters of a {@link CheckpointQuery} on the checkpoint rows, and on the
 * thought and tool-call rows they contain (rows shared by an execution's checkpoints, a range of its sequence numbers
 * each), newest first, keyset-paged. Two shapes of the same query:
 * <ul>
 * <li><b>scan</b>: the checkpoints newest first through their indexes, each tested for a containing row with
 * {@code EXISTS}: fast when many checkpoints qualify, since a page is found early;
 * <li><b>driven</b>: the few matching rows first (a rare text, a rare tool), joined to the checkpoints whose sequence
 * their range covers through the {@code (tenant, execution_id, cseq)} index, then sorted: fast when few rows match,
 * where the scan would test every checkpoint for nothing. PostgreSQL plans the {@code EXISTS} as a semi-join with the
 * checkpoints outside, so it never takes this shape by itself.
 * </ul>
 * A query with a text or a tool filter is first tried driven: its rows are taken up to {@link #DRIVEN_ROWS} + 1, and
 * the page is joined only when there are no more than {@link #DRIVEN_ROWS} of them ({@code matched} says how many
 * there were); past that, the scan runs instead. The thought type and confidence filters alone match many rows (a
 * type is one of eight), so they scan at once.
 */
final class CheckpointSearch {

    /** Matching rows up to which the query is driven by them. */
    static final int DRIVEN_ROWS = 500;

    /** A statement with positional parameters, built up piece by piece. */
    static final class Sql {
        final StringBuilder text = new StringBuilder();
        final List<Object> params = new ArrayList<>();

        /** A parameter's placeholder. */
        String p(Object value) {
            params.add(value);
            return "$" + params.size();
        }

        Sql append(String s) {
            text.append(s);
            return this;
        }
    }

    /** Which catalog rows a query filters on. */
    enum Rows {
        THOUGHTS("catalog_thoughts", "t"),
        TOOL_CALLS("catalog_tool_calls", "k");

        final String table;
        final String alias;

        Rows(String table, String alias) {
            this.table = table;
            this.alias = alias;
        }
    }

    private CheckpointSearch() {}

    static boolean filters(CheckpointQuery q, Rows rows) {
        return rows == Rows.THOUGHTS
                ? q.thoughtType() != null || q.minConfidence() != null || q.maxConfidence() != null || q.text() != null
                : q.toolId() != null;
    }

    /** The row conditions (after {@code <alias>.tenant = ...}), each starting with {@code " AND "}. */
    private static void rowConditions(Sql s, CheckpointQuery q, Rows rows) {
        String a = rows.alias;
        if (rows == Rows.TOOL_CALLS) {
            s.append(" AND " + a + ".tool_id = " + s.p(q.toolId()));
            return;
        }
        if (q.thoughtType() != null) {
            s.append(" AND " + a + ".type = " + s.p(q.thoughtType()));
        }
        if (q.minConfidence() != null) {
            s.append(" AND " + a + ".confidence >= " + s.p(q.minConfidence()));
        }
        if (q.maxConfidence() != null) {
            s.append(" AND " + a + ".confidence <= " + s.p(q.maxConfidence()));
        }
        if (q.text() != null) {
            s.append(" AND " + a + ".search @@ plainto_tsquery('simple', " + s.p(q.text()) + ")");
        }
    }

    /** The catalog rows that may drive a query, in the order they are tried: a text, then a tool. */
    static List<Rows> drivers(CheckpointQuery q) {
        List<Rows> out = new ArrayList<>();
        if (q.executionId() == null && q.text() != null) {
            out.add(Rows.THOUGHTS);
        }
        if (q.executionId() == null && q.toolId() != null) {
            out.add(Rows.TOOL_CALLS);
        }
        return out;
    }

    /**
     * The query: scanning the checkpoints ({@code drivenBy} null) or driven by the matching rows of one catalog table;
     * the other table's filter, if any, is an {@code EXISTS} either way.
     */
    static Sql query(
            String columns, String tenant, CheckpointQuery q, Rows drivenBy, Long afterTs, String afterId, int limit) {
        Sql s = new Sql();
        String t = s.p(tenant);
        if (drivenBy == null) {
            s.append("SELECT " + columns + " FROM checkpoints c WHERE c.tenant = " + t);
        } else {
            String a = drivenBy.alias;
            s.append("WITH r AS MATERIALIZED (SELECT " + a + ".tenant, " + a + ".execution_id, " + a + ".from_cseq, "
                    + a + ".to_cseq FROM " + drivenBy.table + " " + a + " WHERE " + a + ".tenant = " + t);
            rowConditions(s, q, drivenBy);
            s.append(" LIMIT " + (DRIVEN_ROWS + 1) + "), page AS (SELECT DISTINCT ON (c.ts, c.id) " + columns
                    + " FROM r JOIN checkpoints c ON c.tenant = r.tenant AND c.execution_id = r.execution_id AND "
                    + CheckpointRepository.CONTAINS.formatted("r", "c") + " WHERE (SELECT count(*) FROM r) <= "
                    + DRIVEN_ROWS);
        }
        if (q.executionId() != null) {
            s.append(" AND c.execution_id = " + s.p(q.executionId()));
        }
        if (q.agentId() != null) {
            s.append(" AND c.agent_id = " + s.p(q.agentId()));
        }
        if (q.reason() != null) {
            s.append(" AND c.checkpoint_reason = " + s.p(q.reason()));
        }
        if (q.from() != null) {
            s.append(" AND c.ts >= " + s.p(q.from()));
        }
        if (q.to() != null) {
            s.append(" AND c.ts <= " + s.p(q.to()));
        }
        for (Rows rows : Rows.values()) {
            if (rows != drivenBy && filters(q, rows)) {
                String a = rows.alias;
                s.append(" AND EXISTS (SELECT 1 FROM " + rows.table + " " + a + " WHERE " + a
                        + ".tenant = c.tenant AND " + a + ".execution_id = c.execution_id AND "
                        + CheckpointRepository.CONTAINS.formatted(a, "c"));
                rowConditions(s, q, rows);
                s.append(")");
            }
        }
        if (afterTs != null) {
            s.append(" AND (c.ts, c.id) < (" + s.p(afterTs) + ", " + s.p(afterId) + ")");
        }
        s.append(" ORDER BY c.ts DESC, c.id DESC LIMIT " + s.p(limit));
        if (drivenBy != null) {
            // one row at least: how many rows matched, with the page (its columns null when it is empty)
            s.append(") SELECT (SELECT count(*) FROM r) AS matched, page.* FROM (SELECT 1) one LEFT JOIN page ON true");
        }
        return s;
    }
}
