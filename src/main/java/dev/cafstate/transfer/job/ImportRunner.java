package dev.cafstate.transfer.job;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.service.CheckpointDocument;
import dev.cafstate.checkpoint.service.CheckpointWriter;
import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.checkpoint.storage.ObjectKeys;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.transfer.api.ImportRequest;
import dev.cafstate.transfer.handoff.HandoffService;
import dev.cafstate.transfer.location.Location;
import dev.cafstate.transfer.location.LocationStore;
import dev.cafstate.transfer.location.TransferKeys;
import io.smallrye.mutiny.Uni;

/**
 * Runs an import: a prefix is listed page by page (its manifests are what gets imported: an object no manifest names
 * belongs to an incomplete export), manifests are verified and expanded into their objects, and each object is
 * verified (SHA-256 against its metadata, its key and its manifest; JSON; CAF's rules; its id and execution against
 * its key) and stored through the same writer as every checkpoint, as history of the cluster it came from. A tenant
 * gets only its own objects, or those the location maps to it; a bad object is reported with its reason and the job
 * goes on. When a manifest hands an execution off to this cluster, the import ends by taking it over.
 */
@ApplicationScoped
public class ImportRunner {

    private final LocationStore store;
    private final TransferJobRepository jobs;
    private final CheckpointWriter writer;
    private final CheckpointRepository checkpoints;
    private final HandoffService handoffs;
    private final JsonBodies bodies;
    private final Json json;
    private final CafConfig config;

    public ImportRunner(
            LocationStore store,
            TransferJobRepository jobs,
            CheckpointWriter writer,
            CheckpointRepository checkpoints,
            HandoffService handoffs,
            JsonBodies bodies,
            Json json,
            CafConfig config) {
        this.store = store;
        this.jobs = jobs;
        this.writer = writer;
        this.checkpoints = checkpoints;
        this.handoffs = handoffs;
        this.bodies = bodies;
        this.json = json;
        this.config = config;
    }

    /** Lists the next page of a prefix import; true when the listing is complete. */
    Uni<Boolean> listPage(TransferJob job, Location location, String owner) {
        ImportRequest r = json.read(job.request(), ImportRequest.class);
        return store.list(location, r.prefix(), job.listingToken()).flatMap(page -> {
            List<TransferItem> items = new ArrayList<>();
            for (var o : page.objects()) {
                TransferKeys.Parsed p = TransferKeys.parse(location, o.key());
                if (p.kind() == TransferKeys.Kind.MANIFEST && location.importable(p.tenant(), job.tenant())) {
                    items.add(TransferItem.of(o.key(), null, null, o.size(), "pending", null));
                } else if (p.kind() == TransferKeys.Kind.CHECKPOINT && location.importable(p.tenant(), job.tenant())) {
                    items.add(TransferItem.of(o.key(), null, null, o.size(), "listed", null));
                }
            }
            boolean done = page.next() == null;
            return jobs.listed(job.id(), owner, items, page.next(), done).map(x -> done);
        });
    }

    /** Whether an item is a manifest (expanded one at a time, before the objects it names). */
    static boolean isManifest(Location location, TransferItem item) {
        return TransferKeys.parse(location, item.key()).kind() == TransferKeys.Kind.MANIFEST;
    }

    /** Verifies a manifest and adds its objects as items; a handoff it carries is recorded in the job's result. */
    Uni<Void> manifest(TransferJob job, Location location, TransferItem item, Marks marks) {
        TransferKeys.Parsed where = TransferKeys.parse(location, item.key());
        if (!location.importable(where.tenant(), job.tenant())) {
            return marks.mark(item.seq(), "failed", refused(location, where.tenant(), job.tenant()), null);
        }
        return store.get(location, item.key()).flatMap(stored -> {
            if (stored == null) {
                return marks.mark(
                        item.seq(),
                        "failed",
                        "no manifest under this key: the export is incomplete, or the key is wrong",
                        null);
            }
            String sha = CanonicalJson.sha256(stored.bytes());
            if (!sha.equals(stored.metadata().get(ExportRunner.META_SHA256))) {
                return marks.mark(
                        item.seq(), "failed", "the manifest does not match the SHA-256 in its metadata", null);
            }
            Manifest m;
            try {
                m = json.mapper().readValue(stored.bytes(), Manifest.class);
            } catch (Exception e) {
                return marks.mark(item.seq(), "failed", "the manifest is not readable JSON", null);
            }
            if (!Manifest.FORMAT.equals(m.format())
                    || m.checkpoints() == null
                    || !where.tenant().equals(m.tenant())
                    || !where.cluster().equals(m.sourceCluster())) {
                return marks.mark(
                        item.seq(),
                        "failed",
                        "not a " + Manifest.FORMAT + " manifest of the tenant and cluster its key names",
                        null);
            }
            List<TransferItem> entries = new ArrayList<>();
            for (Manifest.Entry e : m.checkpoints()) {
                TransferKeys.Parsed p = e.key() == null ? null : TransferKeys.parse(location, e.key());
                if (p == null
                        || p.kind() != TransferKeys.Kind.CHECKPOINT
                        || !location.importable(p.tenant(), job.tenant())) {
                    continue; // never reaches outside the tenants the caller may import
                }
                entries.add(TransferItem.of(e.key(), e.id(), e.sha256(), e.size(), "pending", null));
            }
            Uni<Void> handoff = m.handoff() == null ? Uni.createFrom().voidItem() : recordHandoff(job, item.key(), m);
            return jobs.expand(job.id(), entries)
                    .flatMap(x -> handoff)
                    .flatMap(x -> marks.mark(
                            item.seq(),
                            "manifest",
                            m.checkpoints().size() + " checkpoint(s) from cluster " + m.sourceCluster(),
                            null));
        });
    }

    private Uni<Void> recordHandoff(TransferJob job, String manifestKey, Manifest m) {
        return jobs.find(job.id()).flatMap(current -> {
            ObjectNode result = current.result() == null
                    ? json.mapper().createObjectNode()
                    : (ObjectNode) json.read(current.result());
            ArrayNode list = result.withArray("handoffs");
            for (JsonNode h : list) {
                if (manifestKey.equals(h.path("manifest_key").textValue())) {
                    return Uni.createFrom().voidItem();
                }
            }
            ObjectNode h = list.addObject();
            h.put("manifest_key", manifestKey);
            h.put("source_cluster", m.sourceCluster());
            h.put("source_tenant", m.tenant());
            h.set("handoff", json.mapper().valueToTree(m.handoff()));
            return jobs.result(job.id(), result.toString());
        });
    }

    /** Imports one checkpoint object. */
    Uni<Void> object(TransferJob job, Location location, TransferItem item, Marks marks) {
        TransferKeys.Parsed where = TransferKeys.parse(location, item.key());
        if (where.kind() != TransferKeys.Kind.CHECKPOINT) {
            return marks.mark(item.seq(), "failed", "not a checkpoint object of a location's layout", null);
        }
        if (!location.importable(where.tenant(), job.tenant())) {
            return marks.mark(item.seq(), "failed", refused(location, where.tenant(), job.tenant()), null);
        }
        return store.get(location, item.key())
                .flatMap(stored -> stored == null
                        ? marks.mark(item.seq(), "failed", "the object is missing from the location", null)
                        : verified(job, location, item, where, stored, marks))
                .onFailure(e -> e instanceof ApiException && !(e instanceof DependencyUnavailable))
                .recoverWithUni(e -> marks.mark(item.seq(), "failed", e.getMessage(), null));
    }

    private Uni<Void> verified(
            TransferJob job,
            Location location,
            TransferItem item,
            TransferKeys.Parsed where,
            LocationStore.Stored stored,
            Marks marks) {
        byte[] bytes = stored.bytes();
        String sha = CanonicalJson.sha256(bytes);
        String problem = null;
        if (!sha.equals(stored.metadata().get(ExportRunner.META_SHA256))) {
            problem = "the object does not match the SHA-256 in its metadata";
        } else if (!item.key().endsWith("/" + sha + ".json")) {
            problem = "the object does not match the SHA-256 in its key";
        } else if (item.sha256() != null && !item.sha256().equals(sha)) {
            problem = "the object does not match the SHA-256 its manifest gives";
        }
        if (problem != null) {
            return marks.mark(item.seq(), "failed", problem, null);
        }
        JsonNode tree;
        try {
            tree = bodies.document(bytes);
            JsonChecks checks = bodies.checks();
            CafSchema.checkpoint(checks, tree);
            if (!checks.ok()) {
                return marks.mark(
                        item.seq(),
                        "failed",
                        "not a CAF " + "0.0.1 checkpoint: "
                                + checks.errors().stream()
                                        .limit(3)
                                        .map(f -> (f.field().isEmpty() ? "" : f.field() + " ") + f.message())
                                        .collect(Collectors.joining("; ")),
                        null);
            }
        } catch (ApiException e) {
            return marks.mark(item.seq(), "failed", e.getMessage(), null);
        }
        CheckpointDocument doc = CheckpointDocument.pushed(bytes, tree);
        String expected =
                TransferKeys.checkpoint(location, where.cluster(), where.tenant(), doc.executionId(), doc.id(), sha);
        if (!expected.equals(item.key())) {
            return marks.mark(item.seq(), "failed", "its id or execution_id is not the one its key names", doc.id());
        }
        Tenant into = location.destination(where.tenant());
        if (job.dryRun()) {
            return checkpoints.find(into, doc.id()).flatMap(row -> {
                if (row == null) {
                    return marks.mark(item.seq(), "imported", "dry run: would be imported", doc.id());
                }
                boolean same = row.contentSha256().equals(CanonicalJson.contentSha256(tree));
                return marks.mark(
                        item.seq(),
                        same ? "skipped" : "conflict",
                        same ? "dry run: already here" : "dry run: this id holds other content here",
                        doc.id());
            });
        }
        return writer.store(
                        into,
                        doc,
                        null,
                        CheckpointWriter.ExecutionLink.PUSHED,
                        CheckpointWriter.Origin.IMPORTED,
                        where.cluster())
                .flatMap(s -> marks.mark(
                        item.seq(),
                        s.created() ? "imported" : "skipped",
                        s.created() ? null : "already here with the same content",
                        doc.id()))
                .onFailure(StateConflict.class)
                .recoverWithUni(e -> marks.mark(
                        item.seq(), "conflict", "this id holds other content here; nothing was overwritten", doc.id()));
    }

    /** After the last item: a handoff to this cluster is taken over, then the job is done. */
    Uni<Void> finish(TransferJob job, Location location, String owner) {
        return jobs.find(job.id()).flatMap(current -> {
            ObjectNode result = current.result() == null
                    ? json.mapper().createObjectNode()
                    : (ObjectNode) json.read(current.result());
            List<Uni<Void>> steps = new ArrayList<>();
            for (JsonNode h : result.withArray("handoffs")) {
                if (h.has("outcome")) {
                    continue;
                }
                Manifest.Handoff handoff = json.mapper().convertValue(h.get("handoff"), Manifest.Handoff.class);
                boolean resume = job.resume() || (!job.source().equals(TransferJob.SOURCE_API) && !job.dryRun());
                steps.add(handoffs.receive(
                                job.tenant(),
                                h.path("source_tenant").asText(job.tenant().id()),
                                location,
                                h.path("manifest_key").textValue(),
                                h.path("source_cluster").textValue(),
                                handoff,
                                resume && !job.dryRun())
                        .invoke(outcome ->
                                ((ObjectNode) h).set("outcome", json.mapper().valueToTree(outcome)))
                        .replaceWithVoid());
            }
            Uni<Void> all = steps.isEmpty()
                    ? Uni.createFrom().voidItem()
                    : Uni.join().all(steps).andFailFast().replaceWithVoid();
            return all.flatMap(x -> jobs.finish(job.id(), owner, "succeeded", result.toString(), null))
                    .replaceWithVoid();
        });
    }

    private static String refused(Location location, String source, Tenant caller) {
        return "an object of tenant '" + source + "': location '" + location.name() + "' imports it into tenant '"
                + location.destination(source).id() + "', not '" + caller.id() + "'";
    }

    static String segmentOf(String id) {
        return ObjectKeys.segment(id);
    }
}
