package dev.cafstate.common.security;

import jakarta.enterprise.context.RequestScoped;

/** The caller's tenant for the current request, set once by {@link TenantFilter} before any resource runs. */
@RequestScoped
public class TenantContext {

    private Tenant tenant;
    private java.util.Set<Role> roles = java.util.EnumSet.noneOf(Role.class);

    /** The tenant every row, query, event and object key of this request is scoped by. */
    public Tenant tenant() {
        if (tenant == null) {
            throw new IllegalStateException("tenant not resolved for this request");
        }
        return tenant;
    }

    /** The caller's roles (all of them when auth is off). */
    public java.util.Set<Role> roles() {
        return roles;
    }

    void set(Tenant tenant, java.util.Set<Role> roles) {
        this.tenant = tenant;
        this.roles = roles;
    }
}
