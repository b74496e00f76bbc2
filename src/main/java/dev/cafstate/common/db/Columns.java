package dev.cafstate.common.db;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.vertx.mutiny.sqlclient.Row;

/**
 * One row's values by column name, whether the row came as a result row or as element {@code i} of arrays
 * aggregated per column (how one statement reads several tables at once). Mappers are written against this, by name, so one mapper
 * serves every query that selects the same names (aliased where a table names a column differently).
 */
public interface Columns {

    String text(String column);

    Long int64(String column);

    Double float8(String column);

    Boolean bool(String column);

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

    /**
     * The select list that aggregates columns into arrays, one per column, all in {@code order}: {@code name} or
     * {@code expression AS name} becomes {@code array_agg(expression ORDER BY order) AS <prefix>name}. One pass over
     * the rows gives every column of a part; {@link #eachOfArrays} reads them back.
     */
    static String arrays(String prefix, String order, String... columns) {
        StringBuilder sb = new StringBuilder();
        for (String column : columns) {
            String[] parts = column.split(" AS ");
            String expression = parts[0];
            String name = parts.length == 2 ? parts[1] : parts[0];
            if (sb.length() > 0) {
                sb.append(",\n  ");
            }
            sb.append("array_agg(")
                    .append(expression)
                    .append(" ORDER BY ")
                    .append(order)
                    .append(") AS ")
                    .append(prefix)
                    .append(name);
        }
        return sb.toString();
    }

    /**
     * Each row of a part read as arrays ({@link #arrays}): element {@code i} of every {@code <prefix>name} column;
     * nothing when the arrays are null (no rows, or the part was not asked for).
     */
    static void eachOfArrays(Row row, String prefix, String anyColumn, Consumer<Columns> each) {
        Object first = row.getValue(prefix + anyColumn);
        if (first == null) {
            return;
        }
        int n = ((Object[]) first).length;
        Map<String, Object[]> arrays = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            each.accept(new Columns() {
                private Object value(String column) {
                    Object[] a = arrays.computeIfAbsent(column, c -> (Object[]) row.getValue(prefix + c));
                    return a == null ? null : a[index];
                }

                @Override
                public String text(String column) {
                    return (String) value(column);
                }

                @Override
                public Long int64(String column) {
                    Object v = value(column);
                    return v == null ? null : ((Number) v).longValue();
                }

                @Override
                public Double float8(String column) {
                    Object v = value(column);
                    return v == null ? null : ((Number) v).doubleValue();
                }

                @Override
                public Boolean bool(String column) {
                    return (Boolean) value(column);
                }
            });
        }
    }
}
