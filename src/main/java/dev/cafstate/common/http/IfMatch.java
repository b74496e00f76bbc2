package dev.cafstate.common.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.cafstate.common.error.BadRequest;

/**
 * An {@code If-Match} precondition as RFC 9110 (section 13.1.1) reads it: {@code *}, or a list of entity tags
 * compared strongly, so a weak tag ({@code W/"3"}) never matches. The versions are the state versions the strong tags
 * name; a well-formed tag that names no version of this service (e.g. {@code "stale-0"}) simply matches nothing
 * (412), and only a malformed header is a 400.
 *
 * @param versions the state versions that satisfy the precondition (possibly none)
 */
public record IfMatch(long[] versions) {

    /** One element of the list: an optional {@code W/} and a quoted opaque tag (etagc: 0x21, 0x23-0x7E, obs-text). */
    private static final Pattern TAG = Pattern.compile("\\s*(W/)?\"([\\x21\\x23-\\x7E\\x80-\\xFF]*)\"\\s*");

    /** The precondition of the header, or null when there is none or it is {@code *} (any current version). */
    public static IfMatch parse(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        List<Long> versions = new ArrayList<>();
        for (String element : header.split(",", -1)) {
            if (element.isBlank()) {
                continue; // RFC 9110 5.6.1: empty list elements are ignored
            }
            Matcher m = TAG.matcher(element);
            if (!m.matches()) {
                throw BadRequest.field("If-Match", "is not a list of entity tags (e.g. \"3\") or *");
            }
            if (m.group(1) == null && m.group(2).matches("[0-9]{1,18}")) {
                versions.add(Long.parseLong(m.group(2)));
            }
        }
        return new IfMatch(versions.stream().mapToLong(Long::longValue).toArray());
    }

    /** Whether the current version satisfies the precondition. */
    public boolean matches(long version) {
        return Arrays.stream(versions).anyMatch(v -> v == version);
    }

    /** The versions as a SQL {@code bigint[]} parameter ({@code version = ANY($n)}). */
    public Long[] sql() {
        return Arrays.stream(versions).boxed().toArray(Long[]::new);
    }

    /** The parameter for a precondition that may be absent. */
    public static Long[] sql(IfMatch ifMatch) {
        return ifMatch == null ? null : ifMatch.sql();
    }

    @Override
    public String toString() {
        return versions.length == 0 ? "no version of this service"
                : Arrays.stream(versions).mapToObj(v -> "\"" + v + "\"").reduce((a, b) -> a + ", " + b).orElse("");
    }
}
