package dev.cafstate.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.json.Json;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cafstate.common.config.CafConfig;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;

/**
 * Where a caller's roles come from ({@link Roles}): the roles claim (a list or a space- or comma-separated string,
 * unknown names ignored), else for a Kubernetes service account ({@code system:serviceaccount:<ns>:<name>}) the
 * {@code caf.auth.service-account-roles} entry {@code namespace/name=role+role}, else the service-account default;
 * a malformed entry or an unknown role in the configuration stops the start.
 */
class RoleMappingTest {

    /** The auth settings {@link Roles} reads; the rest keep their documented defaults. */
    record AuthSettings(
            String rolesClaim, Optional<List<String>> serviceAccountRoles, List<String> serviceAccountDefaultRoles)
            implements CafConfig.Auth {

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public String tenantClaim() {
            return "tenant";
        }

        @Override
        public int maxTenantLength() {
            return 64;
        }

        @Override
        public String fixedTenant() {
            return "local";
        }

        @Override
        public int tokenCacheSize() {
            return 10_000;
        }

        @Override
        public Duration tokenCacheTtl() {
            return Duration.ofSeconds(60);
        }
    }

    /** A configuration with only its auth settings: {@link Roles} reads nothing else. */
    record Settings(CafConfig.Auth auth) implements CafConfig {

        @Override
        public Limits limits() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public Events events() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public S3 s3() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public Health health() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public Checkpoints checkpoints() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public Db db() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public Http http() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public String clusterId() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public Transfer transfer() {
            throw new UnsupportedOperationException("not read by Roles");
        }

        @Override
        public Map<String, Location> locations() {
            throw new UnsupportedOperationException("not read by Roles");
        }
    }

    static Roles roles(String rolesClaim, List<String> mapping, List<String> defaults) {
        return new Roles(new Settings(new AuthSettings(rolesClaim, Optional.ofNullable(mapping), defaults)));
    }

    static DefaultJWTCallerPrincipal token(String claimsJson) throws Exception {
        return new DefaultJWTCallerPrincipal(JwtClaims.parse(claimsJson));
    }

    @Test
    void parsesNamespaceNameEntries() {
        Map<String, Set<Role>> map = Roles.parse(
                Optional.of(List.of("ops/caf-admin=operator+reader", "agents-a/worker=agent", "audit/viewer=reader")));

        assertThat(map)
                .containsOnly(
                        Map.entry("ops/caf-admin", EnumSet.of(Role.OPERATOR, Role.READER)),
                        Map.entry("agents-a/worker", EnumSet.of(Role.AGENT)),
                        Map.entry("audit/viewer", EnumSet.of(Role.READER)));
    }

    @Test
    void noEntriesIsAnEmptyMapping() {
        assertThat(Roles.parse(Optional.empty())).isEmpty();
        assertThat(Roles.parse(Optional.of(List.of()))).isEmpty();
    }

    @Test
    void whitespaceAroundTheParts() {
        assertThat(Roles.parse(Optional.of(List.of("  ops/caf-admin = operator + reader  "))))
                .containsOnly(Map.entry("ops/caf-admin", EnumSet.of(Role.OPERATOR, Role.READER)));
    }

    @Test
    void aRoleNamedTwiceIsThatRole() {
        assertThat(Roles.parse(Optional.of(List.of("ops/a=agent+agent"))))
                .containsOnly(Map.entry("ops/a", EnumSet.of(Role.AGENT)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ops-caf-admin=agent",
                "ops/a/b=agent",
                "/a=agent",
                "ops/=agent",
                "=agent",
                "ops/a",
                "ops/a=",
                "ops/a=admin",
                "ops/a=Agent",
                "ops/a=agent+admin",
                "ops/a=+agent",
                "ops/a=agent++reader",
                "ops/a=agent,reader",
                "ops/a=agent reader",
                ""
            })
    void aMalformedEntryStopsTheStart(String entry) {
        assertThatThrownBy(() -> Roles.parse(Optional.of(List.of(entry))))
                .as(entry)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caf.auth.service-account-roles");
    }

    @Test
    void aTrailingPlusIsMalformed() {
        // role+role names a role on either side of every '+', as "+agent" and "agent++reader" are refused
        assertThatThrownBy(() -> Roles.parse(Optional.of(List.of("ops/a=agent+"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caf.auth.service-account-roles");
    }

    @Test
    void anUnknownDefaultRoleStopsTheStart() {
        assertThatThrownBy(() -> roles("groups", null, List.of("admin")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caf.auth.service-account-default-roles");
    }

    @Test
    void readsRolesFromEveryClaimShape() {
        assertThat(Roles.fromClaim(Set.of("agent", "reader"))).containsExactlyInAnyOrder(Role.AGENT, Role.READER);
        assertThat(Roles.fromClaim(Json.createArrayBuilder()
                        .add("operator")
                        .add(7)
                        .add("reader")
                        .build()))
                .containsExactlyInAnyOrder(Role.OPERATOR, Role.READER);
        assertThat(Roles.fromClaim(Json.createValue("agent operator")))
                .containsExactlyInAnyOrder(Role.AGENT, Role.OPERATOR);
        assertThat(Roles.fromClaim("agent,reader")).containsExactlyInAnyOrder(Role.AGENT, Role.READER);
        assertThat(Roles.fromClaim(" agent , reader ")).containsExactlyInAnyOrder(Role.AGENT, Role.READER);
    }

    @Test
    void ignoresUnknownRoleNamesAndOtherClaimTypes() {
        assertThat(Roles.fromClaim(Set.of("admin", "Agent", "reader"))).containsExactly(Role.READER);
        assertThat(Roles.fromClaim("admin superuser")).isEmpty();
        assertThat(Roles.fromClaim("")).isEmpty();
        assertThat(Roles.fromClaim(null)).isEmpty();
        assertThat(Roles.fromClaim(42L)).isEmpty();
        assertThat(Roles.fromClaim(Json.createObjectBuilder().add("agent", true).build()))
                .isEmpty();
    }

    @Test
    void theRolesClaimComesFirst() throws Exception {
        Roles roles = roles("groups", List.of("ops/caf-admin=operator"), List.of("agent"));

        assertThat(roles.of(token("{\"sub\":\"user-1\",\"groups\":[\"reader\"]}")))
                .containsExactly(Role.READER);
        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:ops:caf-admin\",\"groups\":[\"reader\"]}")))
                .containsExactly(Role.READER);
    }

    @Test
    void aConfiguredRolesClaimIsRead() throws Exception {
        Roles roles = roles("roles", null, List.of("agent"));

        assertThat(roles.of(token("{\"sub\":\"u\",\"roles\":[\"operator\",\"reader\"],\"groups\":[\"agent\"]}")))
                .containsExactlyInAnyOrder(Role.OPERATOR, Role.READER);
        assertThat(roles.of(token("{\"sub\":\"u\",\"roles\":\"agent reader\"}")))
                .containsExactlyInAnyOrder(Role.AGENT, Role.READER);
    }

    @Test
    void aListedServiceAccountGetsItsMappedRoles() throws Exception {
        Roles roles = roles("groups", List.of("ops/caf-admin=operator+reader"), List.of("agent"));

        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:ops:caf-admin\"}")))
                .containsExactlyInAnyOrder(Role.OPERATOR, Role.READER);
        // a roles claim with no role of this service is no roles claim
        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:ops:caf-admin\",\"groups\":[\"system:x\"]}")))
                .containsExactlyInAnyOrder(Role.OPERATOR, Role.READER);
    }

    @Test
    void anUnlistedServiceAccountGetsTheDefault() throws Exception {
        Roles roles = roles("groups", List.of("ops/caf-admin=operator"), List.of("agent"));

        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:agents-a:worker\"}")))
                .containsExactly(Role.AGENT);
        // the namespace and the name are matched as a pair, not one by one
        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:ops:worker\"}")))
                .containsExactly(Role.AGENT);
        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:caf-admin:ops\"}")))
                .containsExactly(Role.AGENT);
    }

    @Test
    void anEmptyDefaultLeavesUnlistedServiceAccountsWithoutRoles() throws Exception {
        Roles roles = roles("groups", List.of("ops/caf-admin=operator"), List.of());

        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:agents-a:worker\"}")))
                .isEmpty();
        assertThat(roles.of(token("{\"sub\":\"system:serviceaccount:ops:caf-admin\"}")))
                .containsExactly(Role.OPERATOR);
    }

    @Test
    void otherCallersWithoutARolesClaimHaveNoRoles() throws Exception {
        Roles roles = roles("groups", List.of("ops/caf-admin=operator"), List.of("agent"));

        assertThat(roles.of(token("{\"sub\":\"ops/caf-admin\"}"))).isEmpty();
        assertThat(roles.of(token("{\"sub\":\"serviceaccount:ops:caf-admin\"}")))
                .isEmpty();
        assertThat(roles.of(token("{\"tenant\":\"acme\"}"))).isEmpty();
    }
}
