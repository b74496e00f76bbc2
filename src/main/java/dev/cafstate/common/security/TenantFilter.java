package dev.cafstate.common.security;

import java.util.EnumSet;
import java.util.Set;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.Problem;
import dev.cafstate.common.json.JsonChecks;
import dev.cafstate.common.time.Clock;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Resolves the tenant and roles of every {@code /api} call from the bearer JWT (claim {@code caf.auth.tenant-claim};
 * roles from {@link Roles}) without blocking the event loop, and refuses a call its roles do not allow
 * ({@link Role#required}); answers 401/403 as problem documents. With auth off, every call gets the fixed tenant and
 * every role.
 */
public class TenantFilter {

    private final CafConfig config;
    private final TenantContext context;
    private final CurrentIdentityAssociation identities;
    private final Roles roles;
    private final int clockSkewSeconds;
    private final Clock clock;

    public TenantFilter(
            CafConfig config,
            TenantContext context,
            CurrentIdentityAssociation identities,
            Roles roles,
            @ConfigProperty(name = "mp.jwt.verify.clock.skew") int clockSkewSeconds,
            Clock clock) {
        this.config = config;
        this.context = context;
        this.identities = identities;
        this.roles = roles;
        this.clockSkewSeconds = clockSkewSeconds;
        this.clock = clock;
    }

    @ServerRequestFilter(priority = 100)
    public Uni<Response> resolveTenant(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return Uni.createFrom().nullItem();
        }
        if (!config.auth().enabled()) {
            context.set(Tenant.of(config.auth().fixedTenant()), EnumSet.allOf(Role.class));
            return Uni.createFrom().nullItem();
        }
        Role.Access access =
                Role.required(request.getMethod(), request.getUriInfo().getPath());
        return identities
                .getDeferredIdentity()
                .map(identity -> tenantOrRefusal(identity, access))
                .onFailure(AuthenticationFailedException.class)
                .recoverWithItem(() ->
                        refuse(401, "unauthenticated", "Unauthenticated", "the bearer token is invalid or expired"));
    }

    private Response tenantOrRefusal(SecurityIdentity identity, Role.Access access) {
        if (identity == null || identity.isAnonymous()) {
            return refuse(401, "unauthenticated", "Unauthenticated", "a bearer token is required");
        }
        String tenant = identity.getPrincipal() instanceof JsonWebToken jwt
                ? claim(jwt, config.auth().tenantClaim())
                : null;
        if (tenant == null
                || tenant.isEmpty()
                || tenant.length() > config.auth().maxTenantLength()) {
            return refuse(
                    403,
                    "forbidden",
                    "Forbidden",
                    "the token carries no usable tenant claim '" + config.auth().tenantClaim() + "' (a non-empty "
                            + "string of at most " + config.auth().maxTenantLength() + " characters)");
        }
        String problem = tenantProblem(tenant);
        if (problem != null) {
            return refuse(
                    401,
                    "unauthenticated",
                    "Unauthenticated",
                    "the token's tenant claim '" + config.auth().tenantClaim() + "' " + problem);
        }
        JsonWebToken jwt = (JsonWebToken) identity.getPrincipal();
        long now = clock.now() / 1000;
        if (jwt.getIssuedAtTime() > now + clockSkewSeconds) {
            return refuse(
                    401,
                    "unauthenticated",
                    "Unauthenticated",
                    "the bearer token was issued in the future " + "(iat more than " + clockSkewSeconds
                            + " s ahead; mp.jwt.verify.clock.skew)");
        }
        Set<Role> granted = roles.of(jwt);
        if (!access.grantedBy(granted)) {
            return refuse(
                    403,
                    "forbidden",
                    "Forbidden",
                    "this call needs the role " + access.roles()
                            + "; the token has "
                            + (granted.isEmpty()
                                    ? "none"
                                    : String.join(
                                            ", ",
                                            granted.stream().map(Role::wire).toList())));
        }
        context.set(Tenant.of(tenant), granted);
        return null;
    }

    /**
     * The claim at {@code path}: a claim name, or names separated by {@code /} into nested claims (Kubernetes
     * service-account tokens carry the namespace as {@code kubernetes.io/namespace}).
     */
    static String claim(JsonWebToken jwt, String path) {
        String[] names = path.split("/");
        Object value = jwt.getClaim(names[0]);
        for (int i = 1; i < names.length && value != null; i++) {
            value = value instanceof JsonObject object ? object.get(names[i]) : null;
        }
        if (value instanceof JsonString string) {
            value = string.getString();
        }
        return value == null || value instanceof JsonValue ? null : value.toString();
    }

    /** Why a tenant taken from a token cannot be used unchanged (it is part of every key), or null. */
    static String tenantProblem(String tenant) {
        for (int i = 0; i < tenant.length(); i++) {
            if (Character.isISOControl(tenant.charAt(i))) {
                return "must not contain control characters";
            }
        }
        return JsonChecks.textProblem(tenant);
    }

    private static Response refuse(int status, String slug, String title, String detail) {
        Response.ResponseBuilder builder = Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(new Problem("urn:caf-state:problem:" + slug, title, status, detail, null));
        if (status == 401) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }
}
