package dev.cafstate.transfer.job;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * in the object's metadata; one already there under its checksum's key is skipped), then the manifest is written,
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

    /**
     * What one run of an export job already knows is in the location: the keys of each execution's prefix, listed
     * once per run when the first of its items comes up (a key names its object's SHA-256, so a key that exists holds
     * the same bytes). One listing page answers up to 1,000 items where a HEAD each would take 1,000 requests. It
     * lives as long as the run, so nothing is kept once the job is done, paused or taken by another replica.
     */
    static final class Known {
        private final Map<String, Uni<Set<String>>> byPrefix = new ConcurrentHashMap<>();

        Uni<Boolean> contains(LocationStore store, Location location, String key) {
            String prefix = TransferKeys.executionCheckpoints(key);
            return byPrefix.computeIfAbsent(
                            prefix,
                            p -> listAll(store, location, p, null, ConcurrentHashMap.newKeySet())
                                    .memoize()
                                    .indefinitely())
                    .map(keys -> keys.contains(key));
        }

        private static Uni<Set<String>> listAll(
                LocationStore store, Location location, String prefix, String token, Set<String> into) {
            return store.list(location, prefix, token).flatMap(page -> {
                page.objects().forEach(o -> into.add(o.key()));
                return page.next() == null
                        ? Uni.createFrom().item(into)
                        : listAll(store, location, prefix, page.next(), into);
            });
        }
    }

    /**
     * Copies one checkpoint; a dependency that is down fails the call (the job pauses), anything else the item. The
     * queued new checkpoints of an automatic export cannot be in the location yet and are copied without a look.
     */
    Uni<Void> item(TransferJob job, Location location, TransferItem item, Marks marks, Known known) {
        Uni<Boolean> there = job.source().equals(TransferJob.SOURCE_AUTO)
                ? Uni.createFrom().item(false)
                : known.contains(store, location, item.key());
        return there.flatMap(exists -> {
                    if (exists) {
                        return marks.mark(item.seq(), "skipped", "already in the location", null);
                    }
                    return checkpoints.find(job.tenant(), item.checkpointId()).flatMap(row -> {
                        if (row == null) {
                            return marks.mark(item.seq(), "failed", "the checkpoint no longer exists", null);
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
                                .flatMap(x -> marks.mark(item.seq(), "exported", null, null));
                    });
                })
                .onFailure(e -> e instanceof ApiException && !(e instanceof DependencyUnavailable))
                .recoverWithUni(e -> marks.mark(item.seq(), "failed", e.getMessage(), null));
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
