package dev.cafstate.common.db;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A SQL statement written with named parameters ({@code :tenant}, {@code :execution}) and sent as a prepared
 * statement with positional ones ({@code $1}, {@code $2}, numbered by first appearance; a name used twice is one
 * parameter). Statements composed of fragments from several repositories (a change's CTE, the outbox insert) agree on
 * names instead of positions, and {@link #bind} refuses a missing or unknown name. Casts ({@code ::json}) are not
 * parameters. Every statement held in a {@code static final Statement} field is rendered, as sent, to
 * {@code src/test/resources/sql/} by a test, so the SQL that runs is the SQL a reader reads.
 */
public final class Statement {

    private static final Pattern NAME = Pattern.compile("(?<![:\\w]):([a-z][a-z0-9_]*)");

    private final String sql;
    private final List<String> names;

    private Statement(String sql, List<String> names) {
        this.sql = sql;
        this.names = names;
    }

    /** Compiles a statement written with {@code :name} parameters. */
    public static Statement of(String named) {
        Set<String> seen = new LinkedHashSet<>();
        Matcher m = NAME.matcher(named);
        StringBuilder out = new StringBuilder();
        List<String> order = new ArrayList<>();
        while (m.find()) {
            String name = m.group(1);
            if (seen.add(name)) {
                order.add(name);
            }
            m.appendReplacement(out, "\\$" + (order.indexOf(name) + 1));
        }
        m.appendTail(out);
        return new Statement(out.toString(), List.copyOf(order));
    }

    /** The statement as sent, with positional parameters. */
    public String sql() {
        return sql;
    }

    /** The parameter names, in the order of {@code $1, $2, ...}. */
    public List<String> parameters() {
        return names;
    }

    /** The positional values of {@code params}; every parameter must be given, and nothing else. */
    public Tuple bind(Params params) {
        Set<String> unknown = new LinkedHashSet<>(params.names());
        names.forEach(unknown::remove);
        List<String> missing = names.stream().filter(n -> !params.has(n)).toList();
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new IllegalArgumentException("statement parameters missing " + missing + ", unknown " + unknown);
        }
        Object[] values = new Object[names.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = params.get(names.get(i));
        }
        return Tuple.from(values);
    }

    /** Runs the statement through {@code client} (the pool, or a transaction's connection). */
    public Uni<RowSet<Row>> run(SqlClient client, Params params) {
        return client.preparedQuery(sql).execute(bind(params));
    }
}
