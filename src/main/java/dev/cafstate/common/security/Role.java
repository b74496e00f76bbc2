package dev.cafstate.common.security;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The three roles of a caller (docs/architecture.md, "Tenancy and access"): agents write their tenant's executions
 * and checkpoints (and read them), readers read, operators run maintenance, scrubs and transfers (and read).
 */
public enum Role {
    AGENT,
    READER,
    OPERATOR;

    /** The role's name in tokens and configuration ({@code agent}, {@code reader}, {@code operator}). */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role with this name, or null for a name that is not a role of this service (ignored). */
    public static Role of(String name) {
        return Arrays.stream(values())
                .filter(r -> r.wire().equals(name))
                .findFirst()
                .orElse(null);
    }

    /** What a call may do. */
    public enum Access {
        /** Read a tenant's executions, state, events and checkpoints. */
        READ(EnumSet.of(AGENT, READER, OPERATOR)),
        /** Change a tenant's executions and checkpoints. */
        WRITE(EnumSet.of(AGENT)),
        /** Maintenance, scrubs, transfers and handoffs. */
        OPERATE(EnumSet.of(OPERATOR));

        private final Set<Role> grantedTo;

        Access(Set<Role> grantedTo) {
            this.grantedTo = grantedTo;
        }

        /** Whether any of {@code roles} grants this access. */
        public boolean grantedBy(Set<Role> roles) {
            return roles.stream().anyMatch(grantedTo::contains);
        }

        /** The roles that grant it, for the 403's detail. */
        public String roles() {
            return String.join(" or ", grantedTo.stream().map(Role::wire).toList());
        }
    }

    /**
     * The access a request needs, by method and path (so no endpoint can be added without a rule): maintenance,
     * transfers and handoffs are {@code OPERATE}, other reads {@code READ}, other changes {@code WRITE}.
     */
    /** A handoff of an execution: {@code /api/v1/executions/{id}/handoff} and below (not an id named "handoff"). */
    private static final Pattern HANDOFF = Pattern.compile("/api/v1/executions/[^/]+/handoff(/.*)?");

    public static Access required(String method, String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (p.startsWith("/api/v1/maintenance")
                || p.startsWith("/api/v1/exports")
                || p.startsWith("/api/v1/imports")
                || p.startsWith("/api/v1/locations")
                || HANDOFF.matcher(p).matches()) {
            return Access.OPERATE;
        }
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") ? Access.READ : Access.WRITE;
    }
}
