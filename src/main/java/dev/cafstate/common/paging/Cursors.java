package dev.cafstate.common.paging;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import dev.cafstate.common.error.BadRequest;

/** Opaque paging cursors: base64url of the keyset position of the last item of a page. */
public final class Cursors {

    /** Default page size. */
    public static final int DEFAULT_LIMIT = 50;
    /** Largest page size. */
    public static final int MAX_LIMIT = 500;

    private Cursors() {}

    public static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The position inside a cursor, or null without one; what cannot be a cursor this service issued (not base64url,
     * not UTF-8) is a 400. Cursors are not signed: a well-formed position is only a place to resume from, and every
     * query filters by the caller's tenant whatever the position says.
     */
    public static String decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(cursor)))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw BadRequest.field("cursor", "is not a cursor issued by this service");
        }
    }

    /** Checks a {@code limit} parameter (1..500, default 50). */
    public static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw BadRequest.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    /** A newest-first keyset position: a timestamp and the id of the last item of a page. */
    public record Keyset(long timestamp, String id) {}

    /** The cursor after an item at {@code (timestamp, id)}. */
    public static String keyset(long timestamp, String id) {
        return encode(timestamp + ":" + id);
    }

    /** The keyset position inside a cursor, or null without one; a cursor this service did not issue is a 400. */
    public static Keyset keyset(String cursor) {
        String position = decode(cursor);
        if (position == null) {
            return null;
        }
        try {
            int colon = position.indexOf(':');
            return new Keyset(Long.parseLong(position.substring(0, colon)), position.substring(colon + 1));
        } catch (RuntimeException e) {
            throw BadRequest.field("cursor", "is not a cursor issued by this service");
        }
    }

    /**
     * The page of items fetched in {@code seq} order with one row more than {@code limit}; the next page starts
     * after the last item shown (its {@code seq}, read back by {@link #number}), whatever filter skipped rows between.
     */
    public static <T> Page<T> bySeq(List<Sequenced<T>> rows, int limit) {
        Page<Sequenced<T>> page = Page.of(rows, limit, last -> encode(String.valueOf(last.seq())));
        return new Page<>(page.items().stream().map(Sequenced::item).toList(), page.nextCursor());
    }

    /** A numeric position from a cursor; anything else is a 400. */
    public static long number(String cursor) {
        String position = decode(cursor);
        if (position == null) {
            return 0;
        }
        try {
            return Long.parseLong(position);
        } catch (NumberFormatException e) {
            throw BadRequest.field("cursor", "is not a cursor issued by this service");
        }
    }
}
