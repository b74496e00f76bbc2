package dev.cafstate.common.http;

/** Strong ETags carrying an execution's state version (preconditions on them: {@link IfMatch}). */
public final class ETags {

    private ETags() {}

    public static String of(long version) {
        return "\"" + version + "\"";
    }
}
