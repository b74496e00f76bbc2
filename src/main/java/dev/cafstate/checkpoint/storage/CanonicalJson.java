package dev.cafstate.checkpoint.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The canonical bytes of a document: UTF-8 JSON, object members sorted by name at every level, no insignificant
 * whitespace, numbers as parsed. Equal documents (in the JSON sense) have equal bytes and so equal SHA-256.
 */
public final class CanonicalJson {

    private static final JsonFactory FACTORY = new com.fasterxml.jackson.databind.ObjectMapper().getFactory();

    private CanonicalJson() {
    }

    public static byte[] bytes(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator gen, JsonNode node) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            gen.writeStartObject();
            for (String name : names) {
                gen.writeFieldName(name);
                write(gen, node.get(name));
            }
            gen.writeEndObject();
        } else if (node.isArray()) {
            gen.writeStartArray();
            for (JsonNode item : node) {
                write(gen, item);
            }
            gen.writeEndArray();
        } else {
            gen.writeTree(node);
        }
    }

    /** Lower-case hex SHA-256 of the bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
