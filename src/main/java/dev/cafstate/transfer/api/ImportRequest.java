package dev.cafstate.transfer.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;

/**
 * Body of {@code POST /imports}: a location, and exactly one of a manifest's key, object keys (checkpoint objects or
 * manifests), or a key prefix (every export whose manifest lies under it); keys are the bucket's, as manifests and
 * bucket notifications give them. {@code dry_run} reports what would happen; {@code resume} takes over a handoff
 * this cluster is the target of.
 */
public record ImportRequest(
        String location, String manifest, List<String> keys, String prefix, boolean dryRun, boolean resume) {

    public static final int MAX_KEYS = 10_000;

    private static final Set<String> MEMBERS = Set.of("location", "manifest", "keys", "prefix", "dry_run", "resume");

    public static ImportRequest from(JsonNode body, JsonBodies bodies) {
        JsonChecks c = bodies.checks();
        if (c.object(body, "")) {
            c.onlyMembers(body, "", MEMBERS, "location and one of manifest, keys, prefix; dry_run, resume");
            c.string(c.required(body, "location", ""), "location");
            key(c, c.optional(body, "manifest", ""), "manifest");
            JsonNode keys = c.optional(body, "keys", "");
            if (c.array(keys, "keys")) {
                if (keys.isEmpty() || keys.size() > MAX_KEYS) {
                    c.fail("keys", "must name 1 to " + MAX_KEYS + " keys");
                }
                for (int i = 0; i < keys.size(); i++) {
                    key(c, keys.get(i), JsonChecks.at("keys", i));
                }
            }
            JsonNode prefix = c.optional(body, "prefix", "");
            if (c.string(prefix, "prefix") && prefix.textValue().length() > 1024) {
                c.fail("prefix", "is longer than an S3 key (1024)");
            }
            c.bool(c.optional(body, "dry_run", ""), "dry_run");
            c.bool(c.optional(body, "resume", ""), "resume");
            int selectors = (body.has("manifest") ? 1 : 0) + (body.has("keys") ? 1 : 0) + (body.has("prefix") ? 1 : 0);
            if (selectors != 1) {
                c.fail("", "name exactly one of manifest, keys, prefix");
            }
        }
        c.throwIfAny();
        List<String> keys = null;
        if (body.has("keys")) {
            keys = new ArrayList<>();
            for (JsonNode k : body.get("keys")) {
                keys.add(k.textValue());
            }
        }
        return new ImportRequest(
                body.get("location").textValue(),
                ExportRequest.text(body, "manifest"),
                keys,
                ExportRequest.text(body, "prefix"),
                body.has("dry_run") && body.get("dry_run").booleanValue(),
                body.has("resume") && body.get("resume").booleanValue());
    }

    private static void key(JsonChecks c, JsonNode v, String path) {
        if (c.string(v, path) && (v.textValue().isEmpty() || v.textValue().length() > 1024)) {
            c.fail(path, "must be an S3 key (1 to 1024 characters)");
        }
    }
}
