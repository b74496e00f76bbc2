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
    private static final Pattern TAG = Pattern.compile("(W/)?\"([\\x21\\x23-\\x7E\\x80-\\xFF]*)\"");

    /** A tag this service sends: a version written the way it writes it (no leading zeros). */
    private static final Pattern VERSION = Pattern.compile("0|[1-9][0-9]{0,17}");

    /** The precondition of the header, or null when there is none or it is {@code *} (any current version). */
    public static IfMatch parse(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        List<Long> versions = new ArrayList<>();
        Matcher m = TAG.matcher(header);
        int i = 0;
        int n = header.length();
        // a list (RFC 9110 5.6.1): elements separated by commas with optional whitespace, empty elements ignored; a
        // comma inside a quoted tag is part of the tag
        while (true) {
            i = skipSpace(header, i);
            if (i == n) {
                break;
            }
            if (header.charAt(i) == ',') {
                i++;
                continue;
            }
            if (!m.region(i, n).lookingAt()) {
                throw malformed();
            }
            if (m.group(1) == null && VERSION.matcher(m.group(2)).matches()) {
                versions.add(Long.parseLong(m.group(2)));
            }
            i = skipSpace(header, m.end());
            if (i < n && header.charAt(i) != ',') {
                throw malformed();
            }
        }
        return new IfMatch(versions.stream().mapToLong(Long::longValue).toArray());
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static BadRequest malformed() {
        return BadRequest.field("If-Match", "is not a list of entity tags (e.g. \"3\") or *");
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
        return versions.length == 0
                ? "no version of this service"
                : Arrays.stream(versions)
                        .mapToObj(v -> "\"" + v + "\"")
                        .reduce((a, b) -> a + ", " + b)
                        .orElse("");
    }
}
