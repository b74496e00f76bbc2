package dev.cafstate.checkpoint.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.cafstate.common.json.JsonChecks;

/**
 * The canonical form of a document, for recognising the same content sent twice: UTF-8 JSON, object members sorted
 * by name at every level, no insignificant whitespace, and every number as the double JavaScript reads it (an
 * integral one below 2^53 as an integer), so {@code 1}, {@code 1.0} and {@code 1e0} are the same. Documents CAF
 * cannot tell apart have the same canonical bytes and so the same SHA-256. It is never what is stored: the stored
 * bytes are the client's (push) or the runtime's, in their member order.
 * <p>
 * It is this service's own form, not RFC 8785: a non-integral number is written as Java writes the double
 * ({@code 1.0E21}), characters outside the BMP as escaped surrogate pairs. It must stay byte for byte as it is,
 * because the {@code content_sha256} of every stored checkpoint was computed with it and a replay is compared with it.
 */
public final class CanonicalJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    /** {@code {}}, the canonical form of an absent body. */
    public static final JsonNode EMPTY_OBJECT = JsonNodeFactory.instance.objectNode();

    private CanonicalJson() {}

    public static byte[] bytes(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** SHA-256 of the canonical bytes, computed as they are written (they are never held in memory whole). */
    public static String contentSha256(JsonNode node) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (JsonGenerator gen =
                    FACTORY.createGenerator(new DigestOutputStream(OutputStream.nullOutputStream(), digest))) {
                write(gen, node);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        } else if (node.isNumber()) {
            double d = JsonChecks.jsNumber(node);
            if (Double.isInfinite(d)) {
                // what JSON.parse makes of 1e400: the number Infinity, not the string Jackson would quote
                gen.writeNumber(d > 0 ? "Infinity" : "-Infinity");
            } else if (d == Math.rint(d) && Math.abs(d) <= JsonChecks.MAX_SAFE_INTEGER) {
                gen.writeNumber((long) d);
            } else {
                gen.writeNumber(d);
            }
        } else if (node.isTextual()) {
            gen.writeString(node.textValue());
        } else if (node.isBoolean()) {
            gen.writeBoolean(node.booleanValue());
        } else {
            gen.writeNull();
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
