package dev.cafstate.common.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RFC 7396 JSON merge patch: an object patch merges member by member (a {@code null} member removes, an object
 * member merges recursively, anything else replaces), any other patch replaces the target whole, and neither argument
 * is changed; a {@code null} result (the document removed) is Java's null.
 */
class MergePatchTest {

    static final ObjectMapper MAPPER = JsonConfig.apply(new ObjectMapper());

    static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    /** RFC 7396, Appendix A, every example in order. */
    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"a":"b"}               | {"a":"c"}                        | {"a":"c"}
            {"a":"b"}               | {"b":"c"}                        | {"a":"b","b":"c"}
            {"a":"b"}               | {"a":null}                       | {}
            {"a":"b","b":"c"}       | {"a":null}                       | {"b":"c"}
            {"a":["b"]}             | {"a":"c"}                        | {"a":"c"}
            {"a":"c"}               | {"a":["b"]}                      | {"a":["b"]}
            {"a":{"b":"c"}}         | {"a":{"b":"d","c":null}}         | {"a":{"b":"d"}}
            {"a":[{"b":"c"}]}       | {"a":[1]}                        | {"a":[1]}
            ["a","b"]               | ["c","d"]                        | ["c","d"]
            {"a":"b"}               | ["c"]                            | ["c"]
            {"a":"foo"}             | null                             | null
            {"a":"foo"}             | "bar"                            | "bar"
            {"e":null}              | {"a":1}                          | {"e":null,"a":1}
            [1,2]                   | {"a":"b","c":null}               | {"a":"b"}
            {}                      | {"a":{"bb":{"ccc":null}}}        | {"a":{"bb":{}}}
            """)
    void appliesTheExamplesOfRfc7396(String target, String patch, String result) throws Exception {
        JsonNode applied = MergePatch.apply(json(target), json(patch));

        if (result.equals("null")) {
            assertThat(applied).isNull();
        } else {
            assertThat(applied).isEqualTo(json(result));
        }
    }

    @Test
    void leavesItsArgumentsUnchanged() throws Exception {
        JsonNode target = json("{\"a\":{\"b\":1,\"c\":[1,2]},\"d\":\"x\"}");
        JsonNode patch = json("{\"a\":{\"b\":null,\"e\":{\"f\":1}},\"d\":null,\"g\":[{\"h\":null}]}");
        JsonNode targetBefore = target.deepCopy();
        JsonNode patchBefore = patch.deepCopy();

        ObjectNode result = (ObjectNode) MergePatch.apply(target, patch);
        assertThat(result).isEqualTo(json("{\"a\":{\"c\":[1,2],\"e\":{\"f\":1}},\"g\":[{\"h\":null}]}"));
        assertThat(target).isEqualTo(targetBefore);
        assertThat(patch).isEqualTo(patchBefore);

        // nor is the result tied to them: changing it changes neither
        ((ObjectNode) result.get("a")).put("b", 2);
        ((ObjectNode) result.get("a").get("e")).put("f", 3);
        ((ObjectNode) result.get("g").get(0)).put("h", 4);
        assertThat(target).isEqualTo(targetBefore);
        assertThat(patch).isEqualTo(patchBefore);
    }

    @Test
    void anAbsentTargetIsPatchedAsAnEmptyObject() throws Exception {
        assertThat(MergePatch.apply(null, json("{\"a\":1,\"b\":null,\"c\":{\"d\":null}}")))
                .isEqualTo(json("{\"a\":1,\"c\":{}}"));
        assertThat(MergePatch.apply(null, json("{}"))).isEqualTo(json("{}"));
    }

    @Test
    void aNullPatchRemovesTheDocument() throws Exception {
        assertThat(MergePatch.apply(json("{\"a\":1}"), null)).isNull();
        assertThat(MergePatch.apply(json("{\"a\":1}"), json("null"))).isNull();
        assertThat(MergePatch.apply(null, json("null"))).isNull();
    }

    @Test
    void anEmptyObjectPatchChangesNothing() throws Exception {
        JsonNode target = json("{\"a\":{\"b\":[1]},\"c\":null}");

        assertThat(MergePatch.apply(target, json("{}"))).isEqualTo(target);
    }

    @Test
    void aScalarMemberBecomesTheObjectItIsPatchedWith() throws Exception {
        // RFC 7396: a non-object target of an object patch is taken as {}, so the patch's nulls are dropped
        assertThat(MergePatch.apply(json("{\"a\":1}"), json("{\"a\":{\"b\":null,\"c\":1}}")))
                .isEqualTo(json("{\"a\":{\"c\":1}}"));
        assertThat(MergePatch.apply(json("\"text\""), json("{\"a\":null,\"b\":2}")))
                .isEqualTo(json("{\"b\":2}"));
    }

    @Test
    void arraysInAPatchAreValuesKeptAsSent() throws Exception {
        // arrays are not merged, so their nulls and their objects' nulls are data, not removals
        assertThat(MergePatch.apply(json("{\"a\":[1,2,3]}"), json("{\"a\":[null,{\"b\":null}]}")))
                .isEqualTo(json("{\"a\":[null,{\"b\":null}]}"));
        assertThat(MergePatch.apply(json("{\"a\":[1]}"), json("{\"a\":[]}"))).isEqualTo(json("{\"a\":[]}"));
    }

    @Test
    void aNullInTheTargetIsKeptUnlessPatched() throws Exception {
        assertThat(MergePatch.apply(json("{\"a\":null,\"b\":null}"), json("{\"b\":{\"c\":null},\"d\":null}")))
                .isEqualTo(json("{\"a\":null,\"b\":{}}"));
    }

    @Test
    void matchesMemberNamesExactly() throws Exception {
        // no Unicode normalisation: "é" (U+00E9) and "e" + U+0301 are different names; astral names work as any
        JsonNode target = json("{\"\u00e9\":1,\"e\u0301\":2,\"\ud83d\ude00\":3,\"A\":4}");
        JsonNode patch = json("{\"\u00e9\":null,\"\ud83d\ude00\":{\"x\":1},\"a\":5}");

        assertThat(MergePatch.apply(target, patch))
                .isEqualTo(json("{\"e\u0301\":2,\"\ud83d\ude00\":{\"x\":1},\"A\":4,\"a\":5}"));
    }

    @Test
    void mergesDeeplyNestedObjects() throws Exception {
        // 200 levels: {"k":{"k":...{"keep":true,"v":1}}} patched at the bottom
        int depth = 200;
        String open = "{\"k\":".repeat(depth);
        String close = "}".repeat(depth);
        JsonNode target = json(open + "{\"keep\":true,\"v\":1,\"gone\":0}" + close);
        JsonNode patch = json(open + "{\"v\":2,\"gone\":null,\"new\":[]}" + close);

        assertThat(MergePatch.apply(target, patch))
                .isEqualTo(json(open + "{\"keep\":true,\"v\":2,\"new\":[]}" + close));
    }

    @Test
    void keepsTheTargetsMemberOrderAndAppendsNewMembers() throws Exception {
        // objects are unordered to RFC 7396, but the result is what clients read back: members they already had stay
        // where they were, and a patch adds its new ones after them
        JsonNode result = MergePatch.apply(json("{\"z\":1,\"a\":2}"), json("{\"m\":3,\"z\":4}"));

        assertThat(result.fieldNames()).toIterable().containsExactly("z", "a", "m");
    }

    @Test
    void replacesAnObjectTargetWithANonObjectPatch() {
        ObjectNode target = JsonNodeFactory.instance.objectNode().put("a", 1);

        assertThat(MergePatch.apply(target, JsonNodeFactory.instance.numberNode(7)))
                .isEqualTo(JsonNodeFactory.instance.numberNode(7));
        assertThat(MergePatch.apply(target, JsonNodeFactory.instance.booleanNode(false)))
                .isEqualTo(JsonNodeFactory.instance.booleanNode(false));
    }
}
