package dev.cafstate.common.security;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.cafstate.common.config.CafConfig;

/**
 * Where a caller's roles come from. Tokens of an identity provider carry them in a claim
 * ({@code caf.auth.roles-claim}, {@code groups} by default, as SmallRye JWT reads it). Kubernetes service-account
 * tokens carry none, so their roles come from {@code caf.auth.service-account-roles} (entries
 * {@code namespace/name=role+role}), and a service account not listed there gets
 * {@code caf.auth.service-account-default-roles} ({@code agent}).
 */
@ApplicationScoped
public class Roles {

    private static final String SERVICE_ACCOUNT = "system:serviceaccount:";

    private final CafConfig config;
    private final Map<String, Set<Role>> serviceAccounts;
    private final Set<Role> serviceAccountDefault;

    public Roles(CafConfig config) {
        this.config = config;
        this.serviceAccounts = parse(config.auth().serviceAccountRoles());
        this.serviceAccountDefault =
                roles(config.auth().serviceAccountDefaultRoles(), "caf.auth.service-account-default-roles");
    }

    /** The roles of a verified token. */
    public Set<Role> of(JsonWebToken jwt) {
        Set<Role> fromClaim = fromClaim(jwt.getClaim(config.auth().rolesClaim()));
        if (!fromClaim.isEmpty()) {
            return fromClaim;
        }
        String subject = jwt.getSubject();
        if (subject != null && subject.startsWith(SERVICE_ACCOUNT)) {
            String account = subject.substring(SERVICE_ACCOUNT.length()).replaceFirst(":", "/");
            return serviceAccounts.getOrDefault(account, serviceAccountDefault);
        }
        return EnumSet.noneOf(Role.class);
    }

    static Set<Role> fromClaim(Object claim) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (claim instanceof Set<?> set) {
            set.forEach(v -> add(roles, String.valueOf(v)));
        } else if (claim instanceof JsonArray array) {
            for (JsonValue v : array) {
                if (v instanceof JsonString s) {
                    add(roles, s.getString());
                }
            }
        } else if (claim instanceof JsonString s) {
            for (String name : s.getString().split("[ ,]+")) {
                add(roles, name);
            }
        } else if (claim instanceof String s) {
            for (String name : s.split("[ ,]+")) {
                add(roles, name);
            }
        }
        return roles;
    }

    private static void add(Set<Role> roles, String name) {
        Role r = Role.of(name);
        if (r != null) {
            roles.add(r);
        }
    }

    /** Parses {@code namespace/name=role+role} entries; a malformed entry stops the start (it is configuration). */
    static Map<String, Set<Role>> parse(Optional<List<String>> entries) {
        Map<String, Set<Role>> map = new HashMap<>();
        for (String entry : entries.orElse(List.of())) {
            String[] parts = entry.trim().split("=", 2);
            if (parts.length != 2 || !parts[0].matches("[^/]+/[^/]+")) {
                throw new IllegalArgumentException(
                        "caf.auth.service-account-roles: '" + entry + "' is not namespace/name=role+role");
            }
            map.put(parts[0].trim(), roles(List.of(parts[1].split("\\+", -1)), "caf.auth.service-account-roles"));
        }
        return map;
    }

    private static Set<Role> roles(List<String> names, String setting) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names) {
            Role r = Role.of(name.trim());
            if (r == null) {
                throw new IllegalArgumentException(
                        setting + ": '" + name + "' is not a role (agent, reader, operator)");
            }
            roles.add(r);
        }
        return roles;
    }
}
