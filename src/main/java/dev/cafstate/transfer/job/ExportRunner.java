package dev.cafstate.transfer.job;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.service.CheckpointReader;
import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.ApiException;
import dev.cafstate.common.error.DependencyUnavailable;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.time.Clock;
import dev.cafstate.transfer.handoff.HandoffService;
import dev.cafstate.transfer.location.Location;
import dev.cafstate.transfer.location.LocationStore;
import dev.cafstate.transfer.location.TransferKeys;
import io.smallrye.mutiny.Uni;

/**
 * Runs an export: every checkpoint is copied byte for byte under this cluster's prefix of the location (its SHA-256
 * in the object's metadata; one already there with the same checksum is skipped), then the manifest is written,
 * last, with its own SHA-256 in its metadata. An export with a checkpoint that could not be copied writes no
 * manifest: an importer sees it as incomplete. Running it again is harmless.
 */
@ApplicationScoped
public class ExportRunner {

    static final String META_SHA256 = "sha256";
    static final String META_SCHEMA = "schema-version";
    static final String META_CLUSTER = "source-cluster";

    private final CheckpointRepository checkpoints;
    private final CheckpointReader reader;
    private final LocationStore store;
    private final TransferJobRepository jobs;
    private final HandoffService handoffs;
    private final Json json;
    private final Clock clock;
    private final CafConfig config;

    public ExportRunner(
            CheckpointRepository checkpoints,
            CheckpointReader reader,
            LocationStore store,
            TransferJobRepository jobs,
            HandoffService handoffs,
            Json json,
            Clock clock,
            CafConfig config) {
        this.checkpoints = checkpoints;
        this.reader = reader;
        this.store = store;
        this.jobs = jobs;
        this.handoffs = handoffs;
        this.json = json;
        this.clock = clock;
        this.config = config;
    }

    /** Copies one checkpoint; a dependency that is down fails the call (the job pauses), anything else the item. */
    Uni<Void> item(TransferJob job, Location location, TransferItem item) {
        return store.head(location, item.key())
                .flatMap(meta -> {
                    if (meta != null && item.sha256().equals(meta.get(META_SHA256))) {
                        return jobs.mark(job.id(), item.seq(), "skipped", "already in the location", null);
                    }
                    return checkpoints.find(job.tenant(), item.checkpointId()).flatMap(row -> {
                        if (row == null) {
                            return jobs.mark(job.id(), item.seq(), "failed", "the checkpoint no longer exists", null);
                        }
                        return reader.document(row)
                                .flatMap(bytes -> store.put(
                                        location,
                                        item.key(),
                                        bytes,
                                        Map.of(
                                                META_SHA256, row.summary().sha256(),
                                                META_SCHEMA, row.summary().schemaVersion(),
                                                META_CLUSTER, config.clusterId()),
                                        false))
                                .flatMap(x -> jobs.mark(job.id(), item.seq(), "exported", null, null));
                    });
                })
                .onFailure(e -> e instanceof ApiException && !(e instanceof DependencyUnavailable))
                .recoverWithUni(e -> jobs.mark(job.id(), item.seq(), "failed", e.getMessage(), null));
    }

    /** After the last item: the manifest, or the job's failure when an item failed. */
    Uni<Void> finish(TransferJob job, Location location, String owner) {
        return jobs.counts(job.id()).flatMap(counts -> {
            long failed = counts.getOrDefault("failed", 0L);
            if (failed > 0) {
                String error = failed + " checkpoint(s) could not be exported; no manifest was written";
                return (job.handoffId() == null
                                ? Uni.createFrom().voidItem()
                                : handoffs.exportFailed(job.handoffId(), error))
                        .flatMap(x -> jobs.finish(job.id(), owner, "failed", null, error))
                        .replaceWithVoid();
            }
            return jobs.items(job.id(), List.of("exported", "skipped")).flatMap(items -> {
                List<Manifest.Entry> entries = new ArrayList<>(items.size());
                for (TransferItem i : items) {
                    JsonNode meta = json.read(i.meta());
                    entries.add(new Manifest.Entry(
                            i.checkpointId(),
                            meta.path("execution_id").textValue(),
                            i.key(),
                            i.sha256(),
                            i.sizeBytes() == null ? 0 : i.sizeBytes(),
                            meta.path("parent_checkpoint_id").textValue(),
                            meta.path("is_branch").asBoolean(false)));
                }
                String exportId = job.id().toString();
                String key = TransferKeys.manifest(
                        location, config.clusterId(), job.tenant().id(), exportId);
                Uni<Manifest.Handoff> handoff = job.handoffId() == null
                        ? Uni.createFrom().nullItem()
                        : handoffs.manifestSection(job.handoffId());
                return handoff.flatMap(h -> {
                    if (job.handoffId() != null && h == null) {
                        return jobs.finish(job.id(), owner, "failed", null, "the handoff was aborted")
                                .replaceWithVoid();
                    }
                    Manifest manifest = new Manifest(
                            Manifest.FORMAT,
                            exportId,
                            config.clusterId(),
                            job.tenant().id(),
                            clock.now(),
                            entries,
                            h);
                    byte[] bytes = json.write(manifest).getBytes(StandardCharsets.UTF_8);
                    ObjectResult result = new ObjectResult(key, entries.size());
                    return store.put(
                                    location,
                                    key,
                                    bytes,
                                    Map.of(META_SHA256, CanonicalJson.sha256(bytes), META_CLUSTER, config.clusterId()),
                                    false)
                            .flatMap(x -> h == null
                                    ? Uni.createFrom().voidItem()
                                    : handoffs.exported(job.handoffId(), key, h.expiresAt()))
                            .flatMap(x -> jobs.finish(job.id(), owner, "succeeded", json.write(result), null))
                            .replaceWithVoid();
                });
            });
        });
    }

    /** What a finished export says beyond its counts. */
    record ObjectResult(String manifestKey, int checkpoints) {}
}
