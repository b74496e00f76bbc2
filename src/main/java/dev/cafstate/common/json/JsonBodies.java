package dev.cafstate.common.json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.PayloadTooLarge;

/**
 * Request bodies, read strictly from the bytes actually received (whatever the framing: a chunked body is measured
 * as it is, not by a {@code Content-Length} it may not have): the size limit of the endpoint (413), well-formed
 * UTF-8 JSON with no member named twice (400), at most {@code caf.limits.max-json-depth} levels (422), and only
 * strings PostgreSQL can store unchanged (422). Numbers keep their exact value (decimals are read as decimals).
 */
@ApplicationScoped
public class JsonBodies {

    private final ObjectMapper mapper;
    private final ObjectReader reader;
    private final CafConfig config;

    public JsonBodies(ObjectMapper mapper, CafConfig config) {
        this.mapper = mapper;
        this.config = config;
        this.reader = mapper.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    /** A runtime call's body (limit {@code caf.limits.max-request-bytes}); an empty body is a 422. */
    public JsonNode runtime(byte[] body) {
        return required(parse(body, config.limits().maxRequestBytes(), "caf.limits.max-request-bytes"));
    }

    /** A small body that may be left out entirely (e.g. a restore request); null when empty. */
    public JsonNode optional(byte[] body) {
        return parse(body, config.limits().maxRequestBytes(), "caf.limits.max-request-bytes");
    }

    /** A checkpoint document's body (limit {@code caf.checkpoints.max-document-bytes}). */
    public JsonNode document(byte[] body) {
        return required(parse(body, config.checkpoints().maxDocumentBytes(), "caf.checkpoints.max-document-bytes"));
    }

    /** One item of a body that holds one item or a batch, with its JSON path ({@code ""} or {@code steps[3]}). */
    public record Item(JsonNode node, String path) {}

    /**
     * The items of a "one item, or {@code {<batch>: [...]}}" body, at most {@code max} (413 above); the items
     * themselves are checked by the caller.
     */
    public List<Item> oneOrBatch(JsonNode body, String batch, int max) {
        if (!body.isObject()) {
            throw InvalidInput.field("body", "must be a JSON object");
        }
        JsonNode items = body.get(batch);
        if (items == null) {
            return List.of(new Item(body, ""));
        }
        if (!items.isArray() || items.isEmpty()) {
            throw InvalidInput.field(batch, "must be a non-empty array");
        }
        if (items.size() > max) {
            throw new PayloadTooLarge(
                    batch + " has " + items.size() + " items; the limit is " + max + " (caf.limits.max-batch-items)");
        }
        List<Item> list = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            list.add(new Item(items.get(i), JsonChecks.at(batch, i)));
        }
        return list;
    }

    /** A new checker with this service's id and key limits. */
    public JsonChecks checks() {
        return new JsonChecks(config.limits().maxIdBytes(), config.limits().maxMemoryKeyBytes());
    }

    /** Converts a tree that passed its checks into its record (nothing is coerced: the types are already right). */
    public <T> T map(JsonNode node, Class<T> type) {
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new InvalidInput("the body cannot be read as " + type.getSimpleName());
        }
    }

    private static JsonNode required(JsonNode node) {
        if (node == null) {
            throw InvalidInput.field("body", "is required: send a JSON object");
        }
        return node;
    }

    private JsonNode parse(byte[] body, long max, String limit) {
        if (body == null || body.length == 0) {
            return null;
        }
        if (body.length > max) {
            throw new PayloadTooLarge(
                    "the request body has " + body.length + " bytes; the limit is " + max + " (" + limit + ")");
        }
        JsonNode node;
        try {
            node = reader.readTree(body);
        } catch (StreamConstraintsException e) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.contains("nesting depth")) {
                throw InvalidInput.field(
                        "body",
                        "nests deeper than " + config.limits().maxJsonDepth() + " levels (caf.limits.max-json-depth)");
            }
            throw InvalidInput.field("body", "holds a value over this service's limits: " + clean(m));
        } catch (JsonParseException e) {
            throw new BadRequest("the body is not well-formed JSON: " + clean(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BadRequest("the body is not well-formed JSON");
        }
        if (node == null || node.isMissingNode()) {
            return null;
        }
        JsonChecks checks = checks();
        checks.storableText(node, "", config.limits().maxJsonDepth());
        checks.throwIfAny();
        return node;
    }

    /** Jackson's message without its hints about Java types or where to change a limit. */
    private static String clean(String message) {
        if (message == null) {
            return "invalid";
        }
        String m = message.split("\n")[0];
        int hint = m.indexOf(" (");
        m = hint > 0 && m.contains("StreamReadConstraints") ? m.substring(0, hint) : m;
        return m.replaceAll("`[\\w.$]+`", "value").trim();
    }
}
