package dev.cafstate.checkpoint.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Object keys follow {@code [prefix/]tenants/<t>/executions/<e>/checkpoints/<id>/<sha256>.json} with every id
 * percent-encoded byte by byte (RFC 3986 style, upper-case hex, UTF-8), only {@code [A-Za-z0-9_-]} left literal, so
 * that no id can add a segment, form {@code .}/{@code ..}, or collide with another id.
 */
class ObjectKeysTest {

    static final String SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void keepsLettersDigitsUnderscoreAndHyphenLiteral() {
        String literal = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

        assertThat(ObjectKeys.segment(literal)).isEqualTo(literal);
    }

    @Test
    void percentEncodesEveryOtherAsciiCharacterInUpperCaseHex() {
        assertThat(ObjectKeys.segment(".")).isEqualTo("%2E");
        assertThat(ObjectKeys.segment("..")).isEqualTo("%2E%2E");
        assertThat(ObjectKeys.segment("/")).isEqualTo("%2F");
        assertThat(ObjectKeys.segment("%")).isEqualTo("%25");
        assertThat(ObjectKeys.segment(" ")).isEqualTo("%20");
        assertThat(ObjectKeys.segment("~")).isEqualTo("%7E");
        assertThat(ObjectKeys.segment("+")).isEqualTo("%2B");
        assertThat(ObjectKeys.segment("\\")).isEqualTo("%5C");
        assertThat(ObjectKeys.segment("\u0000")).isEqualTo("%00");
        assertThat(ObjectKeys.segment("\u007f")).isEqualTo("%7F");
        assertThat(ObjectKeys.segment("exec.1/a b")).isEqualTo("exec%2E1%2Fa%20b");
    }

    @Test
    void encodesTheUtf8BytesOfNonAsciiCharacters() {
        assertThat(ObjectKeys.segment("\u00e9")).isEqualTo("%C3%A9");
        assertThat(ObjectKeys.segment("\u00ff")).isEqualTo("%C3%BF");
        assertThat(ObjectKeys.segment("\u20ac")).isEqualTo("%E2%82%AC");
        assertThat(ObjectKeys.segment("\ud83d\ude00")).isEqualTo("%F0%9F%98%80");
        // a letter or digit of another script is not one of [A-Za-z0-9]: ARABIC-INDIC DIGIT THREE is D9 A3
        assertThat(ObjectKeys.segment("\u0663")).isEqualTo("%D9%A3");
    }

    @Test
    void segmentsDecodeBackToTheirIds() {
        for (String id : List.of(
                "plain-id_1",
                "a/b",
                "a%2Fb",
                "../..",
                "caf\u00e9 \ud83d\ude00",
                "x+y",
                "?#[]@!$&'()*,;=",
                "\u0000\u001f\u007f\u0080\u07ff\u0800\uffff")) {
            String segment = ObjectKeys.segment(id);
            assertThat(segment).as(id).matches("[A-Za-z0-9_%-]*");
            assertThat(URLDecoder.decode(segment, UTF_8)).as(id).isEqualTo(id);
        }
    }

    @Test
    void distinctIdsGetDistinctSegments() {
        // '%' is encoded too, so an id that looks encoded never meets the id it looks like
        List<String> ids = List.of("a/b", "a%2Fb", "a%252Fb", "a.b", "a%2Eb", "A.b", "a_b", "a-b", "a b", "a+b", "");
        Set<String> segments = new HashSet<>();
        ids.forEach(id -> segments.add(ObjectKeys.segment(id)));

        assertThat(segments).hasSameSizeAs(ids);
    }

    @Test
    void buildsTheDocumentedLayout() {
        assertThat(ObjectKeys.checkpoint(null, "acme", "exec-1", "cp_1", SHA))
                .isEqualTo("tenants/acme/executions/exec-1/checkpoints/cp_1/" + SHA + ".json");
        assertThat(ObjectKeys.checkpoint("prod", "acme", "exec-1", "cp_1", SHA))
                .isEqualTo("prod/tenants/acme/executions/exec-1/checkpoints/cp_1/" + SHA + ".json");
    }

    @Test
    void aNullOrBlankPrefixIsNoPrefix() {
        assertThat(ObjectKeys.allTenants(null)).isEqualTo("tenants/");
        assertThat(ObjectKeys.allTenants("")).isEqualTo("tenants/");
        assertThat(ObjectKeys.allTenants(" \t")).isEqualTo("tenants/");
    }

    @Test
    void aPrefixIsKeptAsConfiguredWithoutTrailingSlashes() {
        assertThat(ObjectKeys.allTenants("p")).isEqualTo("p/tenants/");
        assertThat(ObjectKeys.allTenants("p/")).isEqualTo("p/tenants/");
        assertThat(ObjectKeys.allTenants("p///")).isEqualTo("p/tenants/");
        // the prefix is configuration, not an id: its inner slashes stay
        assertThat(ObjectKeys.allTenants("env/eu-1")).isEqualTo("env/eu-1/tenants/");
    }

    @Test
    void idsCanNeitherAddNorEscapeSegments() {
        String key = ObjectKeys.checkpoint(null, "../t", "../../x", "a/b/./c", "");

        List<String> segments = Arrays.asList(key.split("/", -1));
        assertThat(segments).hasSize(7);
        assertThat(segments).doesNotContain(".", "..", "");
        assertThat(segments.subList(0, 6))
                .containsExactly(
                        "tenants", "%2E%2E%2Ft", "executions", "%2E%2E%2F%2E%2E%2Fx", "checkpoints", "a%2Fb%2F%2E%2Fc");
    }

    @Test
    void prefixesNestTenantWithinDeployment() {
        String key = ObjectKeys.checkpoint("p", "acme", "e", "c", SHA);

        assertThat(key).startsWith(ObjectKeys.tenantPrefix("p", "acme"));
        assertThat(ObjectKeys.tenantPrefix("p", "acme"))
                .isEqualTo("p/tenants/acme/")
                .startsWith(ObjectKeys.allTenants("p"));
        // the closing slash keeps one tenant's prefix from covering another tenant whose name extends it
        assertThat(ObjectKeys.checkpoint("p", "acme2", "e", "c", SHA))
                .doesNotStartWith(ObjectKeys.tenantPrefix("p", "acme"));
        assertThat(ObjectKeys.tenantPrefix(null, "a/b")).isEqualTo("tenants/a%2Fb/");
    }

    @Test
    void keysAreAsciiSoTheirLengthIsTheirByteCount() {
        String key = ObjectKeys.checkpoint(null, "t\u00e9", "\ud83d\ude00", "\u20ac", SHA);

        assertThat(key).matches("\\p{ASCII}*");
        assertThat(key.getBytes(UTF_8)).hasSize(key.length());
    }

    @Test
    void encodingCanTripleAnIdPastTheKeyLimit() {
        // S3 takes keys of at most 1024 UTF-8 bytes; every byte that is not literal becomes three characters, so an id
        // of 512 bytes (the default caf.limits.max-id-bytes) can make a key over the limit once encoded
        assertThat(ObjectKeys.MAX_KEY_BYTES).isEqualTo(1024);
        String id = "\u00e9".repeat(256);

        assertThat(id.getBytes(UTF_8)).hasSize(512);
        assertThat(ObjectKeys.segment(id)).hasSize(1536);
        assertThat(ObjectKeys.checkpoint(null, "t", "e", id, SHA).getBytes(UTF_8).length)
                .isGreaterThan(ObjectKeys.MAX_KEY_BYTES);
        assertThat(ObjectKeys.checkpoint(null, "t", "e", "x".repeat(512), SHA).getBytes(UTF_8).length)
                .isLessThanOrEqualTo(ObjectKeys.MAX_KEY_BYTES);
    }
}
