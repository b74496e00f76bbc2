package dev.cafstate.common.http;

import dev.cafstate.common.error.BadRequest;

/** Strong ETags carrying an execution's state version, and parsing of {@code If-Match}. */
public final class ETags {

    private ETags() {
    }

    public static String of(long version) {
        return "\"" + version + "\"";
    }

    /**
     * The version an {@code If-Match} header demands, or {@code null} when there is no header or it is {@code *}.
     *
     * @throws BadRequest when the header is not an ETag this service issued
     */
    public static Long expected(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        String tag = ifMatch.trim();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
            tag = tag.substring(1, tag.length() - 1);
        }
        try {
            return Long.parseLong(tag);
        } catch (NumberFormatException e) {
            throw BadRequest.field("If-Match", "not an ETag issued by this service");
        }
    }
}
