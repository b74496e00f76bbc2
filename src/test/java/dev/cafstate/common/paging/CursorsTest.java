package dev.cafstate.common.paging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.error.Problem;

/**
 * Paging cursors are base64url (RFC 4648, section 5, unpadded) of the last position shown; a missing cursor is the
 * first page, anything that is not such a cursor of the expected kind is a 400 on {@code cursor}, and limits lie in
 * 1..500 (default 50).
 */
class CursorsTest {

    static void assertBadRequest(String field, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BadRequest.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.errors()).extracting(Problem.FieldError::field).containsExactly(field);
        });
    }

    @Test
    void roundTripsAnyPosition() {
        // (an empty position is never issued: its cursor would be the empty "no cursor")
        for (String position : List.of(
                "0",
                "42",
                "1700000000000:exec-1",
                "a:b:c",
                "caf\u00e9 \ud83d\ude00",
                "\u0000\uffff",
                "x".repeat(10_000))) {
            assertThat(Cursors.decode(Cursors.encode(position))).as(position).isEqualTo(position);
        }
    }

    @Test
    void encodesWithTheUrlSafeAlphabetWithoutPadding() {
        // "???~~~" is Pz8/fn5+ in standard base64: 62 and 63 are '-' and '_' in base64url
        assertThat(Cursors.encode("???~~~")).isEqualTo("Pz8_fn5-");
        // "a" is YQ== padded
        assertThat(Cursors.encode("a")).isEqualTo("YQ");
        assertThat(Cursors.encode("")).isEmpty();
        // UTF-8 bytes C3 A9 F0 9F 98 80 3A 78
        assertThat(Cursors.encode("\u00e9\ud83d\ude00:x")).isEqualTo("w6nwn5iAOng");
    }

    @Test
    void decodesCursorsOfAnyBase64urlEncoder() {
        String position = "1700000000000:\u00e9";

        assertThat(Cursors.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(UTF_8))))
                .isEqualTo(position);
    }

    @Test
    void noCursorIsTheFirstPage() {
        assertThat(Cursors.decode(null)).isNull();
        assertThat(Cursors.decode("")).isNull();
        assertThat(Cursors.keyset(null)).isNull();
        assertThat(Cursors.keyset("")).isNull();
        assertThat(Cursors.number(null)).isZero();
        assertThat(Cursors.number("")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!!", "Pz8/fn5+", "a b", "Y", "YQ=a", "====", "\u00e9\u00e9", "w6nwn5iAOng\n"})
    void refusesTextThatIsNotBase64url(String garbage) {
        assertBadRequest("cursor", () -> Cursors.decode(garbage));
        assertBadRequest("cursor", () -> Cursors.number(garbage));
        assertBadRequest("cursor", () -> Cursors.keyset(garbage));
    }

    @Test
    void refusesCursorsWhoseBytesAreNotUtf8() {
        // base64url of FF FE 3A 78: never written by encode, which takes UTF-8 text
        String notUtf8 = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x3A, 0x78});
        assertBadRequest("cursor", () -> Cursors.decode(notUtf8));
        assertBadRequest("cursor", () -> Cursors.keyset(notUtf8));
    }

    @Test
    void readsBackANumericPosition() {
        assertThat(Cursors.number(Cursors.encode("42"))).isEqualTo(42);
        assertThat(Cursors.number(Cursors.encode(String.valueOf(Long.MAX_VALUE))))
                .isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "1e3", " 1", "1 ", "0x10", "99999999999999999999", "5:x", "\ufffd"})
    void refusesNumericCursorsOfOtherPositions(String position) {
        assertBadRequest("cursor", () -> Cursors.number(Cursors.encode(position)));
    }

    @Test
    void keysetsSplitAtTheFirstColonSoIdsMayHoldColons() {
        assertThat(Cursors.keyset(Cursors.keyset(1_700_000_000_000L, "a:b:c")))
                .isEqualTo(new Cursors.Keyset(1_700_000_000_000L, "a:b:c"));
        assertThat(Cursors.keyset(Cursors.keyset(-1, ""))).isEqualTo(new Cursors.Keyset(-1, ""));
        assertThat(Cursors.keyset(Cursors.keyset(Long.MIN_VALUE, "\ud83d\ude00")))
                .isEqualTo(new Cursors.Keyset(Long.MIN_VALUE, "\ud83d\ude00"));
        assertThat(Cursors.keyset(Cursors.keyset(Long.MAX_VALUE, "x")))
                .isEqualTo(new Cursors.Keyset(Long.MAX_VALUE, "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-colon", "42", ":x", "x:1", "1.5:x", " 1:x", "99999999999999999999:x"})
    void refusesKeysetCursorsWithoutATimestamp(String position) {
        assertBadRequest("cursor", () -> Cursors.keyset(Cursors.encode(position)));
    }

    @Test
    void limitsDefaultTo50AndLieBetween1And500() {
        assertThat(Cursors.limit(null)).isEqualTo(50);
        assertThat(Cursors.limit(1)).isEqualTo(1);
        assertThat(Cursors.limit(500)).isEqualTo(500);
        for (int bad : new int[] {0, -1, 501, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertBadRequest("limit", () -> Cursors.limit(bad));
        }
    }

    @Test
    void aPageBySeqEndsAtTheLastItemShown() {
        // rows are fetched with one more than the limit: that row only says a next page exists
        List<Sequenced<String>> rows =
                List.of(new Sequenced<>(3, "a"), new Sequenced<>(7, "b"), new Sequenced<>(12, "c"));

        Page<String> page = Cursors.bySeq(rows, 2);
        assertThat(page.items()).containsExactly("a", "b");
        assertThat(Cursors.number(page.nextCursor())).isEqualTo(7);

        Page<String> last = Cursors.bySeq(rows, 3);
        assertThat(last.items()).containsExactly("a", "b", "c");
        assertThat(last.nextCursor()).isNull();

        Page<String> none = Cursors.bySeq(List.of(), 50);
        assertThat(none.items()).isEmpty();
        assertThat(none.nextCursor()).isNull();
    }
}
