package dev.cafstate.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;

/** The tenant claim may be a plain claim or a path into nested claims, as in Kubernetes service-account tokens. */
class TenantClaimTest {

    static DefaultJWTCallerPrincipal token(String claimsJson) throws Exception {
        return new DefaultJWTCallerPrincipal(JwtClaims.parse(claimsJson));
    }

    @Test
    void readsAPlainClaim() throws Exception {
        assertThat(TenantFilter.claim(token("{\"tenant\":\"acme\"}"), "tenant")).isEqualTo("acme");
    }

    @Test
    void readsANestedKubernetesNamespace() throws Exception {
        var jwt = token("{\"sub\":\"system:serviceaccount:agents-a:worker\","
                + "\"kubernetes.io\":{\"namespace\":\"agents-a\",\"serviceaccount\":{\"name\":\"worker\"}}}");
        assertThat(TenantFilter.claim(jwt, "kubernetes.io/namespace")).isEqualTo("agents-a");
        assertThat(TenantFilter.claim(jwt, "kubernetes.io/serviceaccount/name")).isEqualTo("worker");
    }

    @Test
    void missingOrNonTextClaimsGiveNoTenant() throws Exception {
        var jwt = token("{\"kubernetes.io\":{\"namespace\":\"agents-a\"},\"n\":{\"x\":1}}");
        assertThat(TenantFilter.claim(jwt, "tenant")).isNull();
        assertThat(TenantFilter.claim(jwt, "kubernetes.io/missing")).isNull();
        assertThat(TenantFilter.claim(jwt, "kubernetes.io")).isNull();
        assertThat(TenantFilter.claim(jwt, "n/x")).isNull();
    }
}
