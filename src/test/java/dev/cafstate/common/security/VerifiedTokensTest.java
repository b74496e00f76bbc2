package dev.cafstate.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rules of the verified-token cache: never past the token's expiry or the ttl, bounded, exact bytes only. */
class VerifiedTokensTest {

    @Test
    void aVerifiedTokenIsTrustedUntilTheTtl() {
        VerifiedTokens<String> cache = new VerifiedTokens<>(10, 1_000);
        cache.put("a.b.c", "jwt", 10_000, 100_000);
        assertThat(cache.get("a.b.c", 10_999)).isEqualTo("jwt");
        assertThat(cache.get("a.b.c", 11_000)).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void neverPastTheTokensOwnExpiry() {
        VerifiedTokens<String> cache = new VerifiedTokens<>(10, 60_000);
        cache.put("a.b.c", "jwt", 10_000, 12_000);
        assertThat(cache.get("a.b.c", 11_999)).isEqualTo("jwt");
        assertThat(cache.get("a.b.c", 12_000)).isNull();
        cache.put("expired", "jwt", 10_000, 9_000);
        assertThat(cache.get("expired", 10_000)).isNull();
    }

    @Test
    void onlyTheExactTokenHits() {
        VerifiedTokens<String> cache = new VerifiedTokens<>(10, 60_000);
        cache.put("header.claims.signature", "jwt", 0, 0);
        assertThat(cache.get("header.claims.signaturf", 1)).isNull();
        assertThat(cache.get("header.claims.signature", 1)).isEqualTo("jwt");
    }

    @Test
    void sizeIsBoundedExpiredEntriesGoFirst() {
        VerifiedTokens<String> cache = new VerifiedTokens<>(3, 60_000);
        cache.put("old", "1", 0, 5);
        cache.put("b", "2", 0, 0);
        cache.put("c", "3", 0, 0);
        cache.put("d", "4", 10, 0);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("b", 11)).isEqualTo("2");
        assertThat(cache.get("d", 11)).isEqualTo("4");
        cache.put("e", "5", 12, 0); // full of live entries: starts over rather than grow
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get("e", 13)).isEqualTo("5");
    }

    @Test
    void sizeZeroTurnsItOff() {
        VerifiedTokens<String> cache = new VerifiedTokens<>(0, 60_000);
        assertThat(cache.enabled()).isFalse();
        cache.put("a.b.c", "jwt", 0, 0);
        assertThat(cache.get("a.b.c", 1)).isNull();
    }
}
