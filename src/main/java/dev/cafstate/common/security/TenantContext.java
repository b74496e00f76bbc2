package dev.cafstate.common.security;

import jakarta.enterprise.context.RequestScoped;

/** The caller's tenant for the current request, set once by {@link TenantFilter} before any resource runs. */
@RequestScoped
public class TenantContext {

    private String tenant;

    /** The tenant every row, query, event and object key of this request is scoped by. */
    public String id() {
        if (tenant == null) {
            throw new IllegalStateException("tenant not resolved for this request");
        }
        return tenant;
    }

    void set(String tenant) {
        this.tenant = tenant;
    }
}
