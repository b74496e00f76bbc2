package dev.cafstate.common.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.Problem;
import dev.cafstate.common.error.ValidationPaths;

/**
 * Exact JSON type checks with the semantics of CAF's Zod schemas, collecting every breach with its JSON path (e.g.
 * {@code snapshot.thought_chain.steps[3].confidence}). Nothing is coerced: {@code "0.5"} is not a number and
 * {@code 7} is not a string. Numbers are judged as JavaScript sees them: an integer is a finite number without a
 * fraction, and every integer must lie within JavaScript's exact range (at most 2^53-1).
 */
public final class JsonChecks {

    /** The largest integer JavaScript holds exactly (Number.MAX_SAFE_INTEGER). */
    public static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

    private final List<Problem.FieldError> errors = new ArrayList<>();
    private final int maxIdBytes;
    private final int maxKeyBytes;

    /** A checker whose ids may take at most {@code maxIdBytes} and memory keys {@code maxKeyBytes} UTF-8 bytes. */
    public JsonChecks(int maxIdBytes, int maxKeyBytes) {
        this.maxIdBytes = maxIdBytes;
        this.maxKeyBytes = maxKeyBytes;
    }

    /** Records a breach at {@code path}. */
    public void fail(String path, String message) {
        errors.add(new Problem.FieldError(path.isEmpty() ? "body" : path, message));
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    /** Throws the 422 with every breach found, if any. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            List<Problem.FieldError> sorted = new ArrayList<>(errors);
            throw new InvalidInput(ValidationPaths.detail(sorted), sorted);
        }
    }

    /** {@code path.member}, or {@code member} at the root. */
    public static String at(String path, String member) {
        return path.isEmpty() ? member : path + "." + member;
    }

    /** {@code path[index]}. */
    public static String at(String path, int index) {
        return path + "[" + index + "]";
    }

    // ---- presence ----------------------------------------------------------------------------------------

    /** The member's value, or null (with a breach) when it is missing. A JSON null is returned as is. */
    public JsonNode required(JsonNode parent, String member, String path) {
        JsonNode v = parent.get(member);
        if (v == null) {
            fail(at(path, member), "is required");
        }
        return v;
    }

    /**
     * The member's value, or null when it is left out. {@code null} is a breach: CAF's {@code .optional()} fields
     * take a value or nothing.
     */
    public JsonNode optional(JsonNode parent, String member, String path) {
        JsonNode v = parent.get(member);
        if (v != null && v.isNull()) {
            fail(at(path, member), "must be left out rather than null");
            return null;
        }
        return v;
    }

    /** Members of {@code node} other than {@code known}: a breach each (for request bodies that are not CAF shapes). */
    public void onlyMembers(JsonNode node, String path, Set<String> known, String hint) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                fail(at(path, name), hint);
            }
        }
    }

    // ---- types (each returns whether the value had the type; null values are not checked) --------------------

    public boolean object(JsonNode v, String path) {
        if (v == null) {
            return false;
        }
        if (!v.isObject()) {
            fail(path, "must be an object");
            return false;
        }
        return true;
    }

    public boolean array(JsonNode v, String path) {
        if (v == null) {
            return false;
        }
        if (!v.isArray()) {
            fail(path, "must be an array");
            return false;
        }
        return true;
    }

    public boolean string(JsonNode v, String path) {
        if (v == null) {
            return false;
        }
        if (!v.isTextual()) {
            fail(path, "must be a string");
            return false;
        }
        return true;
    }

    /** A CAF id: a non-empty string (plus this service's length limit, which protects its keys and indexes). */
    public boolean id(JsonNode v, String path) {
        if (!string(v, path)) {
            return false;
        }
        String s = v.textValue();
        if (s.isEmpty()) {
            fail(path, "must not be empty");
            return false;
        }
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxIdBytes) {
            fail(path, "must be at most " + maxIdBytes + " bytes in UTF-8 (caf.limits.max-id-bytes); it has " + bytes);
            return false;
        }
        return true;
    }

    /** A memory key: any string (CAF has no bounds), within this service's limit on index entries. */
    public boolean memoryKey(JsonNode v, String path) {
        if (!string(v, path)) {
            return false;
        }
        int bytes = v.textValue().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxKeyBytes) {
            fail(
                    path,
                    "must be at most " + maxKeyBytes + " bytes in UTF-8 (caf.limits.max-memory-key-bytes); it has "
                            + bytes);
            return false;
        }
        return true;
    }

    public boolean bool(JsonNode v, String path) {
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            fail(path, "must be true or false");
            return false;
        }
        return true;
    }

    /** One of the enum's values, e.g. a thought type. */
    public boolean oneOf(JsonNode v, String path, Set<String> values) {
        if (!string(v, path)) {
            return false;
        }
        if (!values.contains(v.textValue())) {
            fail(
                    path,
                    "must be one of "
                            + String.join(", ", values.stream().sorted().toList()));
            return false;
        }
        return true;
    }

    /** A finite number within {@code [min, max]} (as JavaScript reads it). */
    public boolean number(JsonNode v, String path, double min, double max) {
        if (v == null) {
            return false;
        }
        if (!v.isNumber()) {
            fail(path, "must be a number");
            return false;
        }
        double d = jsNumber(v);
        if (!Double.isFinite(d) || underflows(v, d)) {
            fail(path, OUT_OF_RANGE);
            return false;
        }
        if (d < min || d > max) {
            fail(path, range(min, max));
            return false;
        }
        return true;
    }

    /** An integer {@code >= min} that JavaScript holds exactly. */
    public boolean integer(JsonNode v, String path, long min) {
        if (v == null) {
            return false;
        }
        if (!v.isNumber()) {
            fail(path, "must be an integer");
            return false;
        }
        double d = jsNumber(v);
        if (!Double.isFinite(d) || underflows(v, d)) {
            fail(path, OUT_OF_RANGE);
            return false;
        }
        if (Math.rint(d) != d) {
            fail(path, "must be an integer");
            return false;
        }
        if (d < min) {
            fail(path, "must be an integer >= " + min);
            return false;
        }
        if (d > MAX_SAFE_INTEGER) {
            fail(path, "must be at most 2^53-1 (9007199254740991), the largest integer JavaScript holds exactly");
            return false;
        }
        return true;
    }

    /** Every element of an array of ids. */
    public void ids(JsonNode v, String path) {
        if (array(v, path)) {
            for (int i = 0; i < v.size(); i++) {
                id(v.get(i), at(path, i));
            }
        }
    }

    /** The value of a number as JavaScript's {@code JSON.parse} makes it (the nearest double). */
    public static double jsNumber(JsonNode v) {
        if (v.isInt() || v.isLong()) {
            return v.longValue();
        }
        return Double.parseDouble(v.isBigDecimal() ? v.decimalValue().toString() : v.asText());
    }

    /**
     * A typed number no JavaScript writer produces and no column holds as written: beyond a double's range, read as
     * Infinity, or so small that it is read as 0 although it is not 0 ({@code 1e-400}). CAF's own parser would take
     * either (as Infinity or 0); {@code JSON.stringify} never writes them, so they are refused rather than changed.
     */
    static final String OUT_OF_RANGE =
            "is out of the range of a JavaScript number (JSON.stringify never writes it; send the value itself)";

    private static boolean underflows(JsonNode v, double d) {
        return d == 0 && v.isBigDecimal() && v.decimalValue().signum() != 0;
    }

    /** The integer value of a number that passed {@link #integer}. */
    public static long jsInteger(JsonNode v) {
        return (long) jsNumber(v);
    }

    private static String range(double min, double max) {
        if (max == Double.MAX_VALUE) {
            return "must be a number >= " + format(min);
        }
        return "must be a number between " + format(min) + " and " + format(max);
    }

    private static String format(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    // ---- text that PostgreSQL cannot hold ------------------------------------------------------------------

    /**
     * Every string and member name in the tree must be storable as PostgreSQL text: no U+0000 and no unpaired UTF-16
     * surrogate (what slicing an emoji in half produces). Such strings are refused rather than changed.
     */
    public void storableText(JsonNode node, String path, int maxDepth) {
        walk(node, path, 0, maxDepth);
    }

    private void walk(JsonNode node, String path, int depth, int maxDepth) {
        // every [ or { is a level, as for the parser: a value past the limit, or an empty container that is one
        if (depth > maxDepth || (node.isContainerNode() && node.isEmpty() && depth + 1 > maxDepth)) {
            fail(path, "nests deeper than " + maxDepth + " levels (caf.limits.max-json-depth)");
            return;
        }
        if (node.isTextual()) {
            text(node.textValue(), path);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                String p = at(path, member.getKey());
                text(member.getKey(), p);
                walk(member.getValue(), p, depth + 1, maxDepth);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), at(path, i), depth + 1, maxDepth);
            }
        }
    }

    /** Records a breach when {@code s} cannot be stored as PostgreSQL text unchanged. */
    public void text(String s, String path) {
        String problem = textProblem(s);
        if (problem != null) {
            fail(path, problem);
        }
    }

    /** Why {@code s} cannot be stored unchanged, or null. */
    public static String textProblem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "must not contain U+0000 (PostgreSQL cannot store it)";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains an unpaired UTF-16 surrogate (half of a character), which cannot be stored unchanged";
            }
            if (Character.isLowSurrogate(c)) {
                return "contains an unpaired UTF-16 surrogate (half of a character), which cannot be stored unchanged";
            }
        }
        return null;
    }
}
