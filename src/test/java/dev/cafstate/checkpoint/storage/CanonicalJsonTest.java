package dev.cafstate.checkpoint.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.common.json.JsonConfig;

/**
 * The canonical form pins down "the same content" for JavaScript's reading of a document: members sorted by UTF-16
 * code units at every level (as RFC 8785 sorts them), no insignificant whitespace, UTF-8 text, every number the
 * double {@code JSON.parse} makes of it (integral ones below 2^53 written as integers, as JavaScript writes them), so
 * documents that differ only in formatting share their bytes and SHA-256, and documents that differ do not.
 */
class CanonicalJsonTest {

    /** The service's reading of bodies: decimals as BigDecimal, as {@link JsonConfig} sets it. */
    static final ObjectMapper SERVICE = JsonConfig.apply(new ObjectMapper());
    /** Jackson's default reading: decimals as doubles. */
    static final ObjectMapper PLAIN = new ObjectMapper();

    static String canonical(String json) throws Exception {
        return new String(CanonicalJson.bytes(SERVICE.readTree(json)), UTF_8);
    }

    /** The canonical text of one number, written alone in an array. */
    static String number(String literal) throws Exception {
        String array = canonical("[" + literal + "]");
        assertThat(array).startsWith("[").endsWith("]");
        return array.substring(1, array.length() - 1);
    }

    static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    }

    @Test
    void sortsMembersByUtf16CodeUnits() throws Exception {
        // the sorting example of RFC 8785, section 3.2.3; U+1F600 is the surrogate pair D83D DE00, so it sorts
        // before U+FB33 by code units although it comes after it by code points
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With"
                + " Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\",\"</script>\":\"Browser Challenge\"}";

        JsonNode sorted = PLAIN.readTree(CanonicalJson.bytes(SERVICE.readTree(input)));
        assertThat(sorted.fieldNames())
                .toIterable()
                .containsExactly("\r", "1", "</script>", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33");
        assertThat(sorted.get("\ud83d\ude00").textValue()).isEqualTo("Emoji: Grinning Face");
    }

    @Test
    void theCanonicalFormIsItsOwnCanonicalForm() throws Exception {
        String input = "{ \"\\ufb33\":[1.0, {\"b\":\"\\ud83d\\ude00\", \"a\":-0.0}], \"\\u20ac\" : 1e21,"
                + " \"\\r\": \"\\u001f\", \"big\": 12345678901234567890 }";
        byte[] once = CanonicalJson.bytes(SERVICE.readTree(input));

        assertThat(CanonicalJson.bytes(SERVICE.readTree(once))).isEqualTo(once);
        assertThat(CanonicalJson.bytes(PLAIN.readTree(once))).isEqualTo(once);
    }

    @Test
    void sortsMembersAtEveryLevelAndKeepsArrayOrder() throws Exception {
        assertThat(canonical("{\"b\":[{\"d\":1,\"c\":2},3,{\"f\":{\"h\":0,\"g\":1}}],\"a\":{\"z\":null,\"y\":true}}"))
                .isEqualTo("{\"a\":{\"y\":true,\"z\":null},\"b\":[{\"c\":2,\"d\":1},3,{\"f\":{\"g\":1,\"h\":0}}]}");
        assertThat(canonical("[3,1,2]")).isEqualTo("[3,1,2]");
    }

    @Test
    void sortsUpperCaseBeforeLowerCaseAndPrefixesFirst() throws Exception {
        // code unit order: 'B' (0x42) < 'a' (0x61); a name sorts before every longer name it starts
        assertThat(canonical("{\"ab\":1,\"a\":2,\"B\":3,\"\":4}")).isEqualTo("{\"\":4,\"B\":3,\"a\":2,\"ab\":1}");
    }

    @Test
    void writesNoInsignificantWhitespace() throws Exception {
        assertThat(canonical(" {\n\t\"a b\" :  [ 1 , { } , [ ] ] ,\r\n \"c\" : \" x y \" } "))
                .isEqualTo("{\"a b\":[1,{},[]],\"c\":\" x y \"}");
    }

    @Test
    void writesEmptyAndScalarDocuments() throws Exception {
        assertThat(canonical("{}")).isEqualTo("{}");
        assertThat(canonical("[]")).isEqualTo("[]");
        assertThat(canonical("\"\"")).isEqualTo("\"\"");
        assertThat(canonical("null")).isEqualTo("null");
        assertThat(canonical("false")).isEqualTo("false");
        assertThat(canonical("2.0")).isEqualTo("2");
        assertThat(new String(CanonicalJson.bytes(CanonicalJson.EMPTY_OBJECT), UTF_8))
                .isEqualTo("{}");
    }

    @Test
    void writesStringsAsUtf8EscapingOnlyWhatJsonRequires() throws Exception {
        // as JSON.stringify and RFC 8785 (3.2.2.2): '"', '\' and controls below U+0020 are escaped (\b \f \n \r \t
        // in their short forms), the rest of the BMP, '/', DEL and U+2028 included, is literal UTF-8
        String input = "{\"s\":\"\\u00e9\\u20ac\\u007f\\u2028\\/\\\"\\\\\\b\\f\\n\\r\\t\\u0001\"}";
        String expected = "{\"s\":\"\u00e9\u20ac\u007f\u2028/\\\"\\\\\\b\\f\\n\\r\\t\\u0001\"}";

        assertThat(CanonicalJson.bytes(SERVICE.readTree(input))).isEqualTo(expected.getBytes(UTF_8));
    }

    @Test
    void writesAstralCharactersAlikeWhetherSentEscapedOrLiteral() throws Exception {
        byte[] escaped = CanonicalJson.bytes(SERVICE.readTree("[\"a\\ud83d\\ude00b\"]"));
        byte[] literal = CanonicalJson.bytes(SERVICE.readTree("[\"a\ud83d\ude00b\"]"));

        assertThat(literal).isEqualTo(escaped);
        assertThat(PLAIN.readTree(escaped).get(0).textValue()).isEqualTo("a\ud83d\ude00b");
        assertThat(escaped).isNotEqualTo(CanonicalJson.bytes(SERVICE.readTree("[\"a\ud83d\ude01b\"]")));
    }

    @Test
    void memberNamesSentEscapedOrLiteralAreTheSameMember() throws Exception {
        assertThat(canonical("{\"\\u0061\\u00e9\":1,\"b\":2}")).isEqualTo(canonical("{\"b\":2,\"a\u00e9\":1}"));
    }

    static Stream<Arguments> integersBelowTwoToThe53() {
        return Stream.of(
                arguments(
                        "1", List.of("1", "1.0", "1.000", "1e0", "1E0", "10e-1", "0.1e1", "1.00000000000000000000001")),
                arguments("100", List.of("100", "1e2", "1E+2", "100.0", "1000e-1", "0.00001e7")),
                arguments("-42", List.of("-42", "-42.0", "-4.2e1", "-4200E-2")),
                // JSON.stringify(-0) is "0", and RFC 8785 writes -0 as 0; -1e-400 is -0 to JSON.parse
                arguments("0", List.of("0", "-0", "0.0", "-0.0", "0e5", "-0e-3", "-1e-400")),
                arguments(
                        "9007199254740991", List.of("9007199254740991", "9007199254740991.0", "9.007199254740991e15")),
                arguments("-9007199254740991", List.of("-9007199254740991", "-9007199254740991.0")),
                // the nearest double of 9007199254740991.4 is 2^53-1 itself
                arguments("9007199254740991", List.of("9007199254740991.4")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("integersBelowTwoToThe53")
    void writesIntegralNumbersBelowTwoToThe53AsIntegers(String expected, List<String> forms) throws Exception {
        for (String form : forms) {
            assertThat(number(form)).as(form).isEqualTo(expected);
        }
    }

    static Stream<Arguments> fractions() {
        // the shortest text that reads back as the same double, as ECMAScript's Number::toString writes it
        return Stream.of(
                arguments("0.1", List.of("0.1", "0.10", "1e-1", "0.1000000000000000055511151231257827")),
                arguments("1.5", List.of("1.5", "15e-1", "1.50")),
                arguments("-2.5", List.of("-2.5", "-25E-1")),
                arguments("0.30000000000000004", List.of("0.30000000000000004", "0.300000000000000044")),
                arguments("0.5", List.of("0.5", "5e-1", "0.50000000000000000001")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fractions")
    void writesFractionsInTheirShortestRoundTripForm(String expected, List<String> forms) throws Exception {
        for (String form : forms) {
            assertThat(number(form)).as(form).isEqualTo(expected);
        }
    }

    static Stream<Arguments> sameDoubleOutsideTheIntegerForm() {
        return Stream.of(
                // 2^53: 9007199254740993 has no double of its own, JSON.parse reads it as 2^53
                arguments(
                        9007199254740992.0,
                        List.of("9007199254740992", "9007199254740993", "9007199254740992.0", "9.007199254740992e15")),
                // the nearest double of 12345678901234567890 is 12345678901234567168
                arguments(
                        12345678901234567168.0,
                        List.of(
                                "12345678901234567890",
                                "12345678901234567000",
                                "1.2345678901234567e19",
                                "12345678901234567168")),
                // beyond long's range
                arguments(1.2345678901234568e29, List.of("123456789012345678901234567890", "1.2345678901234568e29")),
                arguments(-1e21, List.of("-1e21", "-1000000000000000000000", "-1.0E+21")),
                arguments(1e-7, List.of("1e-7", "0.0000001", "1.0E-7", "100e-9")),
                arguments(5e-324, List.of("5e-324", "4.9e-324", "4.9406564584124654e-324")),
                arguments(1.7976931348623157e308, List.of("1.7976931348623157e308", "17976931348623157e292")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sameDoubleOutsideTheIntegerForm")
    void writesEveryNumberAsTheDoubleJavaScriptReads(double value, List<String> forms) throws Exception {
        String first = number(forms.get(0));
        assertThat(Double.parseDouble(first)).as(first).isEqualTo(value);
        for (String form : forms) {
            assertThat(number(form)).as(form).isEqualTo(first);
        }
    }

    @Test
    void distinctDoublesKeepDistinctForms() throws Exception {
        assertThat(number("0.1")).isNotEqualTo(number("0.10000000000000002"));
        assertThat(number("9007199254740991")).isNotEqualTo(number("9007199254740992"));
        assertThat(number("9007199254740992")).isNotEqualTo(number("9007199254740994"));
        assertThat(number("12345678901234567168")).isNotEqualTo(number("12345678901234569216"));
        assertThat(canonical("[1]")).isNotEqualTo(canonical("[\"1\"]")).isNotEqualTo(canonical("[true]"));
        assertThat(canonical("[0]")).isNotEqualTo(canonical("[null]")).isNotEqualTo(canonical("[false]"));
    }

    @Test
    void numbersBeyondTheDoubleRangeAreNotStrings() throws Exception {
        // JSON.parse reads 1e400 as the number Infinity, which CAF tells apart from the string "Infinity"
        assertThat(canonical("{\"a\":1e400}")).isNotEqualTo(canonical("{\"a\":\"Infinity\"}"));
        assertThat(canonical("{\"a\":-1e400}")).isNotEqualTo(canonical("{\"a\":\"-Infinity\"}"));
    }

    @Test
    void theFormDoesNotDependOnHowTheTreeWasRead() throws Exception {
        String doc = "{\"n\":[0.1,1.0,1e2,-0.0,12345678901234567890,1.5e300,2.5,-7],\"s\":\"x\","
                + "\"o\":{\"b\":1,\"a\":2}}";

        assertThat(CanonicalJson.bytes(PLAIN.readTree(doc))).isEqualTo(CanonicalJson.bytes(SERVICE.readTree(doc)));
    }

    @Test
    void keepsTheShapeOfDeeplyNestedDocuments() {
        // 128 levels, the default caf.limits.max-json-depth: {"z":0,"a":{"z":1,"a":...[ ]}} with names reversed
        JsonNode node = JsonNodeFactory.instance.arrayNode();
        String expected = "[]";
        for (int level = 127; level >= 0; level--) {
            ObjectNode parent = JsonNodeFactory.instance.objectNode();
            parent.put("z", level);
            parent.set("a", node);
            node = parent;
            expected = "{\"a\":" + expected + ",\"z\":" + level + "}";
        }

        assertThat(new String(CanonicalJson.bytes(node), UTF_8)).isEqualTo(expected);
    }

    @Test
    void keepsNestedArraysInOrder() {
        ArrayNode node = JsonNodeFactory.instance.arrayNode();
        StringBuilder expected = new StringBuilder("[]");
        for (int level = 0; level < 127; level++) {
            ArrayNode parent = JsonNodeFactory.instance.arrayNode();
            parent.add(level).add(node);
            node = parent;
            expected.insert(0, "[" + level + ",").append("]");
        }

        assertThat(new String(CanonicalJson.bytes(node), UTF_8)).isEqualTo(expected.toString());
    }

    @Test
    void sha256IsLowerCaseHexOfTheBytes() {
        // FIPS 180-2 test vectors
        assertThat(CanonicalJson.sha256(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(CanonicalJson.sha256("abc".getBytes(UTF_8)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void contentSha256IsTheSha256OfTheCanonicalText() throws Exception {
        // the canonical text {"a":1,"b":[true,null,"x"],"c":{"d":0.5,"e":"é"}}, hashed by sha256sum
        String sent = "{ \"c\" : { \"e\" : \"\\u00e9\", \"d\" : 5e-1 }, \"b\" : [ true, null, \"x\" ], \"a\" : 1.0 }";

        assertThat(CanonicalJson.contentSha256(SERVICE.readTree(sent)))
                .isEqualTo("2b9d043f7e3c945de09b8ca8079cbc89bcab6831430fad50e8184b257dcdfa20");
        assertThat(CanonicalJson.contentSha256(CanonicalJson.EMPTY_OBJECT))
                .isEqualTo("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    }

    @Test
    void contentSha256StreamsDocumentsLargerThanItsBuffer() throws Exception {
        // well past the 8 KiB the writer buffers, with multi-byte characters straddling buffer boundaries
        String text = "\u00e9\u20acx".repeat(7_000);
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("z", text);
        doc.put("a", 1);
        assertThat(CanonicalJson.contentSha256(doc)).isEqualTo(sha256Hex("{\"a\":1,\"z\":\"" + text + "\"}"));

        doc.put("y", "\ud83d\ude00".repeat(5_000));
        assertThat(CanonicalJson.contentSha256(doc)).isEqualTo(CanonicalJson.sha256(CanonicalJson.bytes(doc)));
    }

    @Test
    void documentsThatDifferOnlyInFormattingShareTheirContentSha256() throws Exception {
        String a = "{\"id\":\"c1\",\"n\":1,\"m\":{\"x\":[1.5,2],\"y\":\"\u00e9\"}}";
        String b = "{\n  \"m\" : { \"y\" : \"\\u00e9\", \"x\" : [ 15e-1, 2.0 ] },\n  \"n\" : 1e0,\n"
                + "  \"id\" : \"c1\"\n}";
        String c = "{\"id\":\"c1\",\"n\":1,\"m\":{\"x\":[2,1.5],\"y\":\"\u00e9\"}}";

        assertThat(CanonicalJson.contentSha256(SERVICE.readTree(b)))
                .isEqualTo(CanonicalJson.contentSha256(SERVICE.readTree(a)));
        assertThat(CanonicalJson.contentSha256(SERVICE.readTree(c)))
                .isNotEqualTo(CanonicalJson.contentSha256(SERVICE.readTree(a)));
    }
}
