package dev.cafstate.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.Problem.FieldError;

/**
 * Exact JSON type checks with the semantics of CAF's Zod schemas, numbers judged as JavaScript reads them: no
 * coercion between types, an integer is a finite double without a fraction and at most 2^53-1, {@code null} is a
 * value only where asked for, ids are bounded in UTF-8 bytes, and stored text has no U+0000, no unpaired surrogate
 * and no nesting beyond the limit.
 */
class JsonChecksTest {

    static final ObjectMapper MAPPER = JsonConfig.apply(new ObjectMapper());

    final JsonChecks checks = new JsonChecks(8, 6);

    static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void joinsJsonPaths() {
        assertThat(JsonChecks.at("", "a")).isEqualTo("a");
        assertThat(JsonChecks.at("a", "b")).isEqualTo("a.b");
        assertThat(JsonChecks.at("a.b", 3)).isEqualTo("a.b[3]");
        assertThat(JsonChecks.at(JsonChecks.at("steps", 0), "id")).isEqualTo("steps[0].id");
    }

    @Test
    void aBreachAtTheRootIsOnTheBody() {
        checks.fail("", "must be an object");

        assertThat(checks.errors()).containsExactly(new FieldError("body", "must be an object"));
    }

    @Test
    void nothingIsCoercedBetweenTypes() throws Exception {
        assertThat(checks.number(json("\"0.5\""), "n", 0, 1)).isFalse();
        assertThat(checks.integer(json("\"7\""), "i", 0)).isFalse();
        assertThat(checks.string(json("7"), "s")).isFalse();
        assertThat(checks.bool(json("\"true\""), "b")).isFalse();
        assertThat(checks.bool(json("1"), "b2")).isFalse();
        assertThat(checks.object(json("[]"), "o")).isFalse();
        assertThat(checks.array(json("{}"), "a")).isFalse();

        assertThat(checks.errors())
                .containsExactly(
                        new FieldError("n", "must be a number"),
                        new FieldError("i", "must be an integer"),
                        new FieldError("s", "must be a string"),
                        new FieldError("b", "must be true or false"),
                        new FieldError("b2", "must be true or false"),
                        new FieldError("o", "must be an object"),
                        new FieldError("a", "must be an array"));
    }

    @Test
    void jsonNullIsNoValueOfAnyType() throws Exception {
        JsonNode nul = json("null");

        assertThat(checks.number(nul, "n", 0, 1)).isFalse();
        assertThat(checks.string(nul, "s")).isFalse();
        assertThat(checks.object(nul, "o")).isFalse();
        assertThat(checks.id(nul, "id")).isFalse();
        assertThat(checks.errors()).extracting(FieldError::field).containsExactly("n", "s", "o", "id");
    }

    @Test
    void aMissingValueIsNotChecked() {
        assertThat(checks.number(null, "n", 0, 1)).isFalse();
        assertThat(checks.integer(null, "i", 0)).isFalse();
        assertThat(checks.string(null, "s")).isFalse();
        assertThat(checks.id(null, "id")).isFalse();
        assertThat(checks.ok()).isTrue();
    }

    @Test
    void requiredMembersMayBeNullButNotMissing() throws Exception {
        JsonNode parent = json("{\"a\":null,\"b\":1}");

        assertThat(checks.required(parent, "a", "p").isNull()).isTrue();
        assertThat(checks.required(parent, "b", "p").intValue()).isEqualTo(1);
        assertThat(checks.required(parent, "c", "p")).isNull();
        assertThat(checks.errors()).containsExactly(new FieldError("p.c", "is required"));
    }

    @Test
    void optionalMembersMayBeLeftOutButNotNull() throws Exception {
        JsonNode parent = json("{\"a\":null,\"b\":1}");

        assertThat(checks.optional(parent, "a", "")).isNull();
        assertThat(checks.optional(parent, "b", "").intValue()).isEqualTo(1);
        assertThat(checks.optional(parent, "c", "")).isNull();
        assertThat(checks.errors()).containsExactly(new FieldError("a", "must be left out rather than null"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0",
                "1",
                "1.0",
                "1e2",
                "100.000",
                "-0",
                "-0.0",
                "9007199254740991",
                "9007199254740991.0",
                "9.007199254740991e15",
                "9007199254740991.4"
            })
    void acceptsIntegersAsJavaScriptReadsThem(String literal) throws Exception {
        // 9007199254740991.4 is 2^53-1 to JSON.parse, so Number.isInteger holds for it
        assertThat(checks.integer(json(literal), "i", 0)).as(literal).isTrue();
        assertThat(checks.errors()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "9007199254740992",
                "9007199254740993",
                "9.007199254740992e15",
                "1e16",
                "12345678901234567890",
                "9007199254740991.5"
            })
    void refusesIntegersFromTwoToThe53(String literal) throws Exception {
        // 9007199254740991.5 is a tie between 2^53-1 and 2^53: JSON.parse rounds it to the even 2^53
        assertThat(checks.integer(json(literal), "i", 0)).as(literal).isFalse();
        assertThat(checks.errors())
                .containsExactly(new FieldError(
                        "i",
                        "must be at most 2^53-1 (9007199254740991), the largest integer JavaScript holds exactly"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "0.1", "-0.5", "4503599627370495.5", "1e-7"})
    void refusesNumbersWithAFraction(String literal) throws Exception {
        // 4503599627370495.5 is exact in a double (2^52 - 0.5)
        assertThat(checks.integer(json(literal), "i", Long.MIN_VALUE))
                .as(literal)
                .isFalse();
        assertThat(checks.errors()).containsExactly(new FieldError("i", "must be an integer"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e400", "-1e400", "1e-400", "-1e-400"})
    void refusesIntegersBeyondTheDoubles(String literal) throws Exception {
        // 1e400 is Infinity to JSON.parse, 1e-400 is 0 though it is not 0: JSON.stringify writes neither
        assertThat(checks.integer(json(literal), "i", Long.MIN_VALUE))
                .as(literal)
                .isFalse();
        assertThat(checks.errors()).containsExactly(new FieldError("i", JsonChecks.OUT_OF_RANGE));
    }

    @Test
    void integersHaveALowerBound() throws Exception {
        assertThat(checks.integer(json("1"), "a", 1)).isTrue();
        assertThat(checks.integer(json("0"), "b", 1)).isFalse();
        assertThat(checks.integer(json("-1"), "c", 0)).isFalse();
        // -0 >= 0
        assertThat(checks.integer(json("-0"), "d", 0)).isTrue();

        assertThat(checks.errors())
                .containsExactly(
                        new FieldError("b", "must be an integer >= 1"), new FieldError("c", "must be an integer >= 0"));
    }

    @Test
    void numberRangesApplyToTheNearestDouble() throws Exception {
        // 1.0000000000000001 reads as 1.0, 1.0000000000000002 as the next double above 1
        assertThat(checks.number(json("1.0000000000000001"), "a", 0, 1)).isTrue();
        assertThat(checks.number(json("1"), "b", 0, 1)).isTrue();
        assertThat(checks.number(json("0"), "c", 0, 1)).isTrue();
        assertThat(checks.number(json("-0.0"), "d", 0, 1)).isTrue();
        assertThat(checks.number(json("-0.0e10"), "e", 0, 1)).isTrue();
        assertThat(checks.number(json("1.0000000000000002"), "f", 0, 1)).isFalse();
        assertThat(checks.number(json("-5e-324"), "g", 0, 1)).isFalse();
        assertThat(checks.number(json("2"), "h", 0, Double.MAX_VALUE)).isTrue();
        assertThat(checks.number(json("-1"), "i", 0, Double.MAX_VALUE)).isFalse();

        assertThat(checks.errors())
                .containsExactly(
                        new FieldError("f", "must be a number between 0 and 1"),
                        new FieldError("g", "must be a number between 0 and 1"),
                        new FieldError("i", "must be a number >= 0"));
    }

    @Test
    void numbersBeyondTheDoublesAreOutOfRange() throws Exception {
        assertThat(checks.number(json("1e400"), "a", -Double.MAX_VALUE, Double.MAX_VALUE))
                .isFalse();
        assertThat(checks.number(json("-1e400"), "b", -Double.MAX_VALUE, Double.MAX_VALUE))
                .isFalse();
        assertThat(checks.number(json("1.7976931348623157e308"), "c", -Double.MAX_VALUE, Double.MAX_VALUE))
                .isTrue();
        // read as 0 by JSON.parse although it is not 0; 5e-324, the smallest double, is a value
        assertThat(checks.number(json("1e-400"), "d", -Double.MAX_VALUE, Double.MAX_VALUE))
                .isFalse();
        assertThat(checks.number(json("5e-324"), "e", -Double.MAX_VALUE, Double.MAX_VALUE))
                .isTrue();

        assertThat(checks.errors()).extracting(FieldError::field).containsExactly("a", "b", "d");
        assertThat(checks.errors()).extracting(FieldError::message).containsOnly(JsonChecks.OUT_OF_RANGE);
    }

    @Test
    void jsNumberIsTheNearestDouble() throws Exception {
        assertThat(JsonChecks.jsNumber(json("9007199254740993"))).isEqualTo(9007199254740992.0);
        assertThat(JsonChecks.jsNumber(json("0.1000000000000000055511151231257827")))
                .isEqualTo(0.1);
        assertThat(JsonChecks.jsNumber(json("12345678901234567890"))).isEqualTo(12345678901234567168.0);
        assertThat(JsonChecks.jsInteger(json("1e2"))).isEqualTo(100L);
    }

    @Test
    void idsAreNonEmptyAndBoundedInUtf8Bytes() throws Exception {
        // the limit here is 8 bytes: "😀😀" is 4 UTF-16 units but 8 bytes, "éééé" 8 bytes, "ééééa" 9
        assertThat(checks.id(json("\"abcdefgh\""), "a")).isTrue();
        assertThat(checks.id(json("\"\ud83d\ude00\ud83d\ude00\""), "b")).isTrue();
        assertThat(checks.id(json("\"\u00e9\u00e9\u00e9\u00e9\""), "c")).isTrue();
        assertThat(checks.id(json("\"abcdefghi\""), "d")).isFalse();
        assertThat(checks.id(json("\"\u00e9\u00e9\u00e9\u00e9a\""), "e")).isFalse();
        assertThat(checks.id(json("\"\ud83d\ude00\ud83d\ude00a\""), "f")).isFalse();
        assertThat(checks.id(json("\"\""), "g")).isFalse();
        assertThat(checks.id(json("7"), "h")).isFalse();

        assertThat(checks.errors())
                .containsExactly(
                        new FieldError("d", "must be at most 8 bytes in UTF-8 (caf.limits.max-id-bytes); it has 9"),
                        new FieldError("e", "must be at most 8 bytes in UTF-8 (caf.limits.max-id-bytes); it has 9"),
                        new FieldError("f", "must be at most 8 bytes in UTF-8 (caf.limits.max-id-bytes); it has 9"),
                        new FieldError("g", "must not be empty"),
                        new FieldError("h", "must be a string"));
    }

    @Test
    void memoryKeysMayBeEmptyButAreBoundedInUtf8Bytes() throws Exception {
        assertThat(checks.memoryKey(json("\"\""), "a")).isTrue();
        assertThat(checks.memoryKey(json("\"\u20ac\u20ac\""), "b")).isTrue();
        assertThat(checks.memoryKey(json("\"\u20ac\u20aca\""), "c")).isFalse();

        assertThat(checks.errors())
                .containsExactly(new FieldError(
                        "c", "must be at most 6 bytes in UTF-8 (caf.limits.max-memory-key-bytes); it has 7"));
    }

    @Test
    void enumValuesAreExactAndListedSorted() throws Exception {
        Set<String> values = Set.of("tool", "user", "assistant");

        assertThat(checks.oneOf(json("\"user\""), "a", values)).isTrue();
        assertThat(checks.oneOf(json("\"User\""), "b", values)).isFalse();
        assertThat(checks.oneOf(json("\" user\""), "c", values)).isFalse();

        assertThat(checks.errors())
                .containsExactly(
                        new FieldError("b", "must be one of assistant, tool, user"),
                        new FieldError("c", "must be one of assistant, tool, user"));
    }

    @Test
    void everyIdOfAnArrayIsChecked() throws Exception {
        checks.ids(json("[\"a\",\"\",3,\"ok\"]"), "children");
        checks.ids(json("\"a\""), "pending");

        assertThat(checks.errors())
                .containsExactly(
                        new FieldError("children[1]", "must not be empty"),
                        new FieldError("children[2]", "must be a string"),
                        new FieldError("pending", "must be an array"));
    }

    @Test
    void onlyKnownMembersWhenAsked() throws Exception {
        checks.onlyMembers(json("{\"a\":1,\"b\":2,\"c\":3}"), "body2", Set.of("a"), "is not a member");

        assertThat(checks.errors())
                .containsExactly(
                        new FieldError("body2.b", "is not a member"), new FieldError("body2.c", "is not a member"));
    }

    @Test
    void textWithoutNulOrUnpairedSurrogatesIsStorable() {
        assertThat(JsonChecks.textProblem("")).isNull();
        assertThat(JsonChecks.textProblem("caf\u00e9 \ud83d\ude00 \uffff \u0001"))
                .isNull();
        assertThat(JsonChecks.textProblem("\ud83d\ude00\ud83d\ude00")).isNull();
    }

    @Test
    void nulAndUnpairedSurrogatesAreNotStorable() {
        assertThat(JsonChecks.textProblem("a\u0000b")).contains("U+0000");
        for (String half : new String[] {
            "\ud83d", "\ude00", "a\ud83d", "\ud83db", "\ude00\ud83d", "\ud83d\ud83d", "\ud83d\ude00\ude00"
        }) {
            assertThat(JsonChecks.textProblem(half)).as(half).contains("unpaired UTF-16 surrogate");
        }
    }

    @Test
    void storableTextLooksAtEveryStringAndMemberName() throws Exception {
        JsonNode doc = json(
                "{\"ok\":\"\ud83d\ude00\",\"a\\u0000\":1,\"b\":[\"x\",{\"c\":\"\\ud800\"}]," + "\"\\udc00\":true}");

        checks.storableText(doc, "", 10);

        assertThat(checks.errors()).extracting(FieldError::field).containsExactly("a\u0000", "b[1].c", "\udc00");
    }

    @Test
    void storableTextCountsNestingFromTheRoot() throws Exception {
        // with a limit of 2 levels: {"a":[1]} nests 2 (object, array), {"a":[[1]]} nests 3
        checks.storableText(json("{\"a\":[1]}"), "", 2);
        assertThat(checks.ok()).isTrue();

        checks.storableText(json("{\"a\":[[1]]}"), "", 2);
        assertThat(checks.errors())
                .containsExactly(new FieldError("a[0][0]", "nests deeper than 2 levels (caf.limits.max-json-depth)"));
    }

    @Test
    void storableTextCountsEmptyContainersAsLevels() throws Exception {
        // the parser's rule for the same limit (StreamReadConstraints.maxNestingDepth): every [ or { is a level,
        // so [[[]]] nests 3 levels although it holds no value
        checks.storableText(json("[[]]"), "", 2);
        assertThat(checks.ok()).isTrue();

        checks.storableText(json("[[[]]]"), "", 2);
        assertThat(checks.ok()).isFalse();
    }

    @Test
    void throwsEveryBreachAtOnce() {
        checks.fail("a", "must be a string");
        checks.fail("b.c", "is required");

        assertThatThrownBy(checks::throwIfAny).isInstanceOfSatisfying(InvalidInput.class, e -> {
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.getMessage()).isEqualTo("2 fields are invalid");
            assertThat(e.errors())
                    .containsExactly(new FieldError("a", "must be a string"), new FieldError("b.c", "is required"));
        });
    }

    @Test
    void throwsNothingWithoutBreaches() {
        checks.throwIfAny();

        assertThat(checks.ok()).isTrue();
    }
}
