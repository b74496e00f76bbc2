package dev.cafstate.transfer.location;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import dev.cafstate.checkpoint.storage.ObjectKeys;

/**
 * The layout of a location. Each cluster writes only under its own prefix,
 * {@code [<location prefix>/]clusters/<cluster>/tenants/<tenant>/}, and never deletes anything:
 * <ul>
 * <li>checkpoint objects, byte for byte as in the primary store:
 * {@code executions/<execution>/checkpoints/<id>/<sha256>.json};
 * <li>export manifests, written last: {@code exports/<export id>.manifest.json};
 * <li>handoff acknowledgements of the target, and abort markers of the source:
 * {@code handoffs/<execution>/<epoch>.ack.json}, {@code handoffs/<execution>/<epoch>.abort.json}.
 * </ul>
 * Every id is a percent-encoded segment ({@link ObjectKeys#segment}), so a key is read back unambiguously.
 */
public final class TransferKeys {

    private TransferKeys() {}

    /** Everything any cluster wrote in the location. */
    public static String clusters(Location l) {
        return (l.prefix().isEmpty() ? "" : l.prefix() + "/") + "clusters/";
    }

    /** Everything one cluster wrote in the location. */
    public static String cluster(Location l, String cluster) {
        return clusters(l) + ObjectKeys.segment(cluster) + "/";
    }

    public static String tenant(Location l, String cluster, String tenant) {
        return cluster(l, cluster) + "tenants/" + ObjectKeys.segment(tenant) + "/";
    }

    public static String checkpoint(
            Location l, String cluster, String tenant, String executionId, String id, String sha256) {
        return tenant(l, cluster, tenant) + "executions/" + ObjectKeys.segment(executionId) + "/checkpoints/"
                + ObjectKeys.segment(id) + "/" + sha256 + ".json";
    }

    /**
     * The prefix of every checkpoint object of the execution a checkpoint key belongs to ({@code
     * .../executions/<execution>/checkpoints/}): the key without its last two segments, the checkpoint's id and its
     * {@code <sha256>.json} (an id may itself read "checkpoints").
     */
    public static String executionCheckpoints(String checkpointKey) {
        int file = checkpointKey.lastIndexOf('/');
        int id = file <= 0 ? -1 : checkpointKey.lastIndexOf('/', file - 1);
        if (id < 0 || !checkpointKey.startsWith("/checkpoints/", id - "/checkpoints".length())) {
            throw new IllegalArgumentException("not a checkpoint key: " + checkpointKey);
        }
        return checkpointKey.substring(0, id + 1);
    }

    public static String manifest(Location l, String cluster, String tenant, String exportId) {
        return tenant(l, cluster, tenant) + "exports/" + ObjectKeys.segment(exportId) + ".manifest.json";
    }

    public static String ack(Location l, String targetCluster, String tenant, String executionId, long epoch) {
        return tenant(l, targetCluster, tenant) + "handoffs/" + ObjectKeys.segment(executionId) + "/" + epoch
                + ".ack.json";
    }

    public static String abort(Location l, String sourceCluster, String tenant, String executionId, long epoch) {
        return tenant(l, sourceCluster, tenant) + "handoffs/" + ObjectKeys.segment(executionId) + "/" + epoch
                + ".abort.json";
    }

    public static String outcome(Location l, String sourceCluster, String tenant, String executionId, long epoch) {
        return tenant(l, sourceCluster, tenant) + "handoffs/" + ObjectKeys.segment(executionId) + "/" + epoch
                + ".outcome.json";
    }

    /** What a key of the location is. */
    public enum Kind {
        CHECKPOINT,
        MANIFEST,
        ACK,
        ABORT,
        OUTCOME,
        OTHER
    }

    /** A key read back: its kind, and the cluster and tenant it lies under (decoded); null parts when unknown. */
    public record Parsed(Kind kind, String cluster, String tenant) {}

    public static Parsed parse(Location l, String key) {
        String base = clusters(l);
        if (!key.startsWith(base)) {
            return new Parsed(Kind.OTHER, null, null);
        }
        String[] s = key.substring(base.length()).split("/", -1);
        if (s.length < 4 || !s[1].equals("tenants")) {
            return new Parsed(Kind.OTHER, null, null);
        }
        String cluster = decode(s[0]);
        String tenant = decode(s[2]);
        if (cluster == null || tenant == null) {
            return new Parsed(Kind.OTHER, null, null);
        }
        Kind kind = Kind.OTHER;
        if (s.length == 8
                && s[3].equals("executions")
                && s[5].equals("checkpoints")
                && s[7].matches("[0-9a-f]{64}\\.json")) {
            kind = Kind.CHECKPOINT;
        } else if (s.length == 5 && s[3].equals("exports") && s[4].endsWith(".manifest.json")) {
            kind = Kind.MANIFEST;
        } else if (s.length == 6 && s[3].equals("handoffs") && s[5].matches("[0-9]+\\.ack\\.json")) {
            kind = Kind.ACK;
        } else if (s.length == 6 && s[3].equals("handoffs") && s[5].matches("[0-9]+\\.abort\\.json")) {
            kind = Kind.ABORT;
        } else if (s.length == 6 && s[3].equals("handoffs") && s[5].matches("[0-9]+\\.outcome\\.json")) {
            kind = Kind.OUTCOME;
        }
        return new Parsed(kind, cluster, tenant);
    }

    /** The id a segment encodes, or null when it is not a segment {@link ObjectKeys#segment} writes. */
    static String decode(String segment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    return null;
                }
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '-') {
                out.write(c);
            } else {
                return null;
            }
        }
        String id = out.toString(StandardCharsets.UTF_8);
        return id.isEmpty() || !ObjectKeys.segment(id).equals(segment) ? null : id;
    }
}
