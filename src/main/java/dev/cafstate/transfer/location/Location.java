package dev.cafstate.transfer.location;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.cafstate.common.security.Tenant;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A configured location: a bucket and prefix several clusters reach, the S3 client that reaches it, and its rules
 * (read-only or read-write, which tenants cross it and how, automatic export, sync, encryption).
 *
 * @param tenantMap explicit {@code source -> destination} tenant mappings; a tenant not named maps to itself
 * @param autoExportTenants tenants whose new checkpoints are exported here; {@code *} for every tenant
 */
public record Location(
        String name,
        String bucket,
        String prefix,
        String endpoint,
        boolean writable,
        Optional<Duration> syncInterval,
        boolean notifications,
        Map<String, String> tenantMap,
        Set<String> autoExportTenants,
        Optional<String> serverSideEncryption,
        Optional<String> kmsKeyId,
        S3Client s3) {

    /** The tenant objects of {@code source} are imported into. */
    public Tenant destination(String source) {
        return Tenant.of(tenantMap.getOrDefault(source, source));
    }

    /** Whether a caller of tenant {@code caller} may import objects of tenant {@code source} from here. */
    public boolean importable(String source, Tenant caller) {
        return destination(source).equals(caller);
    }

    /** Whether every new checkpoint of the tenant is exported here. */
    public boolean autoExports(Tenant tenant) {
        return writable && (autoExportTenants.contains("*") || autoExportTenants.contains(tenant.id()));
    }

    /** How {@code GET /locations} shows it: never the credentials. */
    public Map<String, Object> describe() {
        return Map.of(
                "name", name,
                "bucket", bucket,
                "prefix", prefix,
                "endpoint", endpoint == null ? "" : endpoint,
                "access", writable ? "read-write" : "read-only",
                "sync_interval", syncInterval.map(Duration::toString).orElse(""),
                "notifications", notifications,
                "auto_export_tenants", autoExportTenants);
    }
}
