package dev.cafstate.checkpoint.storage;

import java.nio.charset.StandardCharsets;

/**
 * Object keys of checkpoints: {@code [prefix/]tenants/<t>/executions/<e>/checkpoints/<id>/<sha256>.json}, every id
 * percent-encoded so that only {@code [A-Za-z0-9_-]} stay literal: an id can never add a {@code /} or form a
 * {@code .}/{@code ..} segment. The checksum in the key makes two different documents never share a key.
 */
public final class ObjectKeys {

    /** S3's limit on a key (UTF-8 bytes). */
    public static final int MAX_KEY_BYTES = 1024;

    private ObjectKeys() {}

    public static String checkpoint(
            String prefix, String tenant, String executionId, String checkpointId, String sha256) {
        return tenantPrefix(prefix, tenant) + "executions/" + segment(executionId) + "/checkpoints/"
                + segment(checkpointId) + "/" + sha256 + ".json";
    }

    /** Every key of a tenant starts with this. */
    public static String tenantPrefix(String prefix, String tenant) {
        return allTenants(prefix) + segment(tenant) + "/";
    }

    /** Every tenant's keys of a deployment start with this. */
    public static String allTenants(String prefix) {
        return (prefix == null || prefix.isBlank() ? "" : prefix.replaceAll("/+$", "") + "/") + "tenants/";
    }

    /** One key segment for any id. */
    public static String segment(String id) {
        StringBuilder sb = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                sb.append((char) c);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
