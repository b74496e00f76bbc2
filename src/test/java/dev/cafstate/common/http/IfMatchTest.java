package dev.cafstate.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cafstate.common.error.BadRequest;
import dev.cafstate.common.error.Problem;

/**
 * {@code If-Match} as RFC 9110 defines it ({@code "*" / #entity-tag}, section 13.1.1): {@code *} or no header is no
 * precondition; otherwise a list of entity tags ({@code [W/]"etagc*"}, section 8.8.3) with optional whitespace and
 * empty elements ignored (section 5.6.1), compared strongly (section 8.8.3.2: weak tags never match, strong ones match
 * character by character) against the ETag {@code "<version>"} this service sends; a malformed header is a 400.
 */
class IfMatchTest {

    /** The ETag the service sends for a state version. */
    static String etag(long version) {
        return ETags.of(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", "*", " * "})
    void starOrNothingIsNoPrecondition(String header) {
        assertThat(IfMatch.parse(header)).isNull();
    }

    @Test
    void noHeaderIsNoPrecondition() {
        assertThat(IfMatch.parse(null)).isNull();
        assertThat(IfMatch.sql(null)).isNull();
    }

    @Test
    void aStrongTagMatchesTheVersionItsETagNames() {
        IfMatch ifMatch = IfMatch.parse(etag(3));

        assertThat(ifMatch.matches(3)).isTrue();
        assertThat(ifMatch.matches(4)).isFalse();
        assertThat(ifMatch.matches(30)).isFalse();
        assertThat(IfMatch.parse(etag(0)).matches(0)).isTrue();
        assertThat(IfMatch.parse(etag(999_999_999_999_999_999L)).matches(999_999_999_999_999_999L))
                .isTrue();
    }

    @Test
    void aListMatchesAnyOfItsTags() {
        // RFC 9110's example list shape, with the optional whitespace around commas in its forms
        for (String header : new String[] {"\"1\", \"3\", \"5\"", "\"1\",\"3\",\"5\"", " \"1\" ,\t\"3\"  ,\"5\" "}) {
            IfMatch ifMatch = IfMatch.parse(header);
            assertThat(ifMatch.matches(1)).as(header).isTrue();
            assertThat(ifMatch.matches(3)).as(header).isTrue();
            assertThat(ifMatch.matches(5)).as(header).isTrue();
            assertThat(ifMatch.matches(2)).as(header).isFalse();
        }
    }

    @Test
    void emptyListElementsAreIgnored() {
        IfMatch ifMatch = IfMatch.parse(", \"3\" ,, ,\"4\",");

        assertThat(ifMatch.matches(3)).isTrue();
        assertThat(ifMatch.matches(4)).isTrue();
        assertThat(ifMatch.sql()).containsExactly(3L, 4L);
    }

    @Test
    void aWeakTagNeverMatches() {
        IfMatch weak = IfMatch.parse("W/" + etag(3));
        assertThat(weak).isNotNull();
        assertThat(weak.matches(3)).isFalse();

        IfMatch mixed = IfMatch.parse("W/\"3\", \"4\"");
        assertThat(mixed.matches(3)).isFalse();
        assertThat(mixed.matches(4)).isTrue();
        assertThat(mixed.sql()).containsExactly(4L);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"stale-0\"",
                "\"\"",
                "\"-1\"",
                "\"3.0\"",
                "\"+3\"",
                "\"x3\"",
                "\"99999999999999999999\"",
                "\"\u00e9\"",
                "\"!#$%&'()*+-./:;<=>?@[]^_`{|}~\""
            })
    void aWellFormedTagThatNamesNoVersionMatchesNothing(String header) {
        IfMatch ifMatch = IfMatch.parse(header);

        assertThat(ifMatch).isNotNull();
        assertThat(ifMatch.sql()).isEmpty();
        for (long version : new long[] {-1, 0, 3}) {
            assertThat(ifMatch.matches(version)).as(header + " vs " + version).isFalse();
        }
    }

    @Test
    void comparesTagsCharacterByCharacter() {
        // the service sends "3", never "03": a strong comparison of "03" with "3" fails (RFC 9110, 8.8.3.2)
        assertThat(IfMatch.parse("\"03\"").matches(3)).isFalse();
        assertThat(IfMatch.parse("\"00\"").matches(0)).isFalse();
    }

    @Test
    void aCommaInsideATagIsPartOfTheTag() {
        // etagc is %x21 / %x23-7E / obs-text, so "a,b" is one well-formed opaque tag
        IfMatch single = IfMatch.parse("\"a,b\"");
        assertThat(single).isNotNull();
        assertThat(single.sql()).isEmpty();

        assertThat(IfMatch.parse("\"x,1\", \"3\"").matches(3)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "3",
                "\"3",
                "3\"",
                "'3'",
                "w/\"3\"",
                "W/ \"3\"",
                "W/3",
                "W\"3\"",
                "\"a b\"",
                "\"3\" \"4\"",
                "\"3\"\"4\"",
                "*, \"3\"",
                "\"3\", *",
                "**",
                "\"3\"x",
                "x\"3\"",
                "\"tab\there\"",
                "\"a\"b\"",
                "\"3\";"
            })
    void aMalformedHeaderIsABadRequest(String header) {
        assertThatThrownBy(() -> IfMatch.parse(header)).as(header).isInstanceOfSatisfying(BadRequest.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.errors()).extracting(Problem.FieldError::field).containsExactly("If-Match");
        });
    }

    @Test
    void sqlListsTheVersionsOfTheStrongTags() {
        assertThat(IfMatch.parse("\"1\", W/\"2\", \"3\", \"x\"").sql()).containsExactly(1L, 3L);
        assertThat(IfMatch.sql(IfMatch.parse("\"7\""))).containsExactly(7L);
    }
}
