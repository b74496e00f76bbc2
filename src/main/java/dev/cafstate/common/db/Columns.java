package dev.cafstate.common.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.vertx.mutiny.sqlclient.Row;

/**
 * One row's values by column name, whether the row came as a result row or as an element of a {@code json_agg} of
 * rows (how one statement reads several tables at once). Mappers are written against this, by name, so one mapper
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
     * A row as PostgreSQL's {@code row_to_json} writes it: a JSON object of column names (SQL NULL as JSON null;
     * {@code json} columns should be selected {@code ::text}, so a JSON null value stays distinct from SQL NULL).
     */
    static Columns of(JsonNode object) {
        return new Columns() {
            private JsonNode value(String column) {
                JsonNode v = object.get(column);
                return v == null || v.isNull() ? null : v;
            }

            @Override
            public String text(String column) {
                JsonNode v = value(column);
                return v == null ? null : v.textValue();
            }

            @Override
            public Long int64(String column) {
                JsonNode v = value(column);
                return v == null ? null : v.longValue();
            }

            @Override
            public Double float8(String column) {
                JsonNode v = value(column);
                return v == null ? null : v.doubleValue();
            }

            @Override
            public Boolean bool(String column) {
                JsonNode v = value(column);
                return v == null ? null : v.booleanValue();
            }
        };
    }

    /**
     * Each row of a {@code json_agg} of rows, in order, parsed one element at a time (no tree of the whole array);
     * nothing for SQL NULL (an aggregate over no rows).
     */
    static void each(ObjectMapper mapper, String jsonArray, Consumer<Columns> row) {
        if (jsonArray == null) {
            return;
        }
        // an element is read where the array goes on, so "trailing tokens" are the rest of the array
        ObjectReader reader = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try (JsonParser parser = mapper.createParser(jsonArray)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalStateException("expected a JSON array of rows");
            }
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                row.accept(of((JsonNode) reader.readTree(parser)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
