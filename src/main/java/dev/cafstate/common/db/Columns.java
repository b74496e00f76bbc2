package dev.cafstate.common.db;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/**
 * One row's values by column name. Mappers are written against this, by name, so one mapper
 * serves every query that selects the same names (aliased where a table names a column differently).
 */
public interface Columns {

    String text(String column);

    Long int64(String column);

    Double float8(String column);

    Boolean bool(String column);

    /**
     * The rows of a result, each read by name through one index of the column names built once (a row looks a name
     * up by scanning its columns, which for a wide result read row by row costs more than the reading).
     */
    static Iterable<Columns> each(RowSet<Row> rows) {
        Map<String, Integer> index = new HashMap<>();
        List<String> names = rows.columnsNames();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        return () -> {
            Iterator<Row> it = rows.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Columns next() {
                    return indexed(it.next(), index);
                }
            };
        };
    }

    private static Columns indexed(Row row, Map<String, Integer> index) {
        return new Columns() {
            private int at(String column) {
                Integer i = index.get(column);
                if (i == null) {
                    throw new IllegalArgumentException("no column " + column);
                }
                return i;
            }

            @Override
            public String text(String column) {
                return row.getString(at(column));
            }

            @Override
            public Long int64(String column) {
                return row.getLong(at(column));
            }

            @Override
            public Double float8(String column) {
                return row.getDouble(at(column));
            }

            @Override
            public Boolean bool(String column) {
                return row.getBoolean(at(column));
            }
        };
    }

    /** A result row. */
    static Columns of(Row row) {
        return new Columns() {
            @Override
            public String text(String column) {
                return row.getString(column);
            }

            @Override
            public Long int64(String column) {
                return row.getLong(column);
            }

            @Override
            public Double float8(String column) {
                return row.getDouble(column);
            }

            @Override
            public Boolean bool(String column) {
                return row.getBoolean(column);
            }
        };
    }
}
