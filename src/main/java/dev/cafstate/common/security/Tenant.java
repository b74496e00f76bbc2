package dev.cafstate.common.security;

/**
 * A tenant: the scope of every row, query, event and object key. A type of its own, so that a tenant and an id can
 * never be passed in each other's place; work across tenants has explicitly named methods instead of a null tenant.
 *
 * @param id the tenant's name, from the caller's token (or the fixed tenant when auth is off)
 */
public record Tenant(String id) {

    public Tenant {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a tenant has a non-empty id");
        }
    }

    public static Tenant of(String id) {
        return new Tenant(id);
    }

    @Override
    public String toString() {
        return id;
    }
}
