package dev.cafstate.common.security;

import java.util.EnumSet;
import java.util.Set;

import jakarta.enterprise.context.RequestScoped;

/** The caller's tenant for the current request, set once by {@link TenantFilter} before any resource runs. */
@RequestScoped
public class TenantContext {

    private Tenant tenant;
    private Set<Role> roles = EnumSet.noneOf(Role.class);

    /** The tenant every row, query, event and object key of this request is scoped by. */
    public Tenant tenant() {
        if (tenant == null) {
            throw new IllegalStateException("tenant not resolved for this request");
        }
        return tenant;
    }

    /** The caller's roles (all of them when auth is off). */
    public Set<Role> roles() {
        return roles;
    }

    void set(Tenant tenant, Set<Role> roles) {
        this.tenant = tenant;
        this.roles = roles;
    }
}
