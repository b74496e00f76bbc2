package dev.cafstate.transfer.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.checkpoint.repository.CheckpointQuery;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.transfer.api.ExportRequest;
import dev.cafstate.transfer.api.ImportRequest;
import dev.cafstate.transfer.location.Location;
import dev.cafstate.transfer.location.Locations;
import dev.cafstate.transfer.location.TransferKeys;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Creates export and import jobs and shows them. A job is created with the items it knows ahead (the checkpoints an
 * export copies, the keys an import was given) and then run by {@link TransferWorker} on whichever replica takes it.
 */
@ApplicationScoped
public class TransferService {

    /** Most checkpoints one export copies. */
    static final int MAX_EXPORT = 100_000;

    private final TransferJobRepository jobs;
    private final TransferJobEntities jobEntities;
    private final CheckpointRepository checkpoints;
    private final Locations locations;
    private final Json json;
    private final Clock clock;
    private final CafConfig config;
    private final Pool pool;

    public TransferService(
            TransferJobRepository jobs,
            TransferJobEntities jobEntities,
            CheckpointRepository checkpoints,
            Locations locations,
            Json json,
            Clock clock,
            CafConfig config,
            Pool pool) {
        this.jobs = jobs;
        this.jobEntities = jobEntities;
        this.checkpoints = checkpoints;
        this.locations = locations;
        this.json = json;
        this.clock = clock;
        this.config = config;
        this.pool = pool;
    }

    /** Starts an export (202): every named checkpoint is copied, then the manifest is written. */
    public Uni<JobView> export(Tenant tenant, ExportRequest r) {
        Location location = locations.writable(r.location());
        return resolve(tenant, r)
                .flatMap(rows ->
                        create(pool, tenant, location, UUID.randomUUID(), TransferJob.SOURCE_API, r, rows, null))
                .flatMap(id -> view(tenant, TransferJob.EXPORT, id));
    }

    /**
     * Creates the export job of a handoff (its id is the handoff's, so a retry finds it) through {@code client}.
     *
     * @return false when the job already existed
     */
    public Uni<Boolean> exportForHandoff(
            Tenant tenant, Location location, UUID handoffId, List<CheckpointSummary> rows) {
        ExportRequest r = new ExportRequest(
                location.name(), null, rows.stream().map(CheckpointSummary::id).toList(), null);
        return create(pool, tenant, location, handoffId, TransferJob.SOURCE_HANDOFF, r, rows, handoffId)
                .map(id -> id != null);
    }

    /** Creates an automatic export of new checkpoints (continuous replication). */
    public Uni<Void> exportQueued(SqlClient client, Tenant tenant, Location location, List<CheckpointSummary> rows) {
        ExportRequest r = new ExportRequest(
                location.name(), null, rows.stream().map(CheckpointSummary::id).toList(), null);
        return create(client, tenant, location, UUID.randomUUID(), TransferJob.SOURCE_AUTO, r, rows, null)
                .replaceWithVoid();
    }

    private Uni<UUID> create(
            SqlClient client,
            Tenant tenant,
            Location location,
            UUID id,
            String source,
            ExportRequest r,
            List<CheckpointSummary> rows,
            UUID handoffId) {
        List<TransferItem> items = new ArrayList<>(rows.size());
        for (CheckpointSummary s : rows) {
            ObjectNode meta = json.mapper().createObjectNode();
            meta.put("execution_id", s.executionId());
            meta.put("parent_checkpoint_id", s.parentCheckpointId());
            meta.put("is_branch", s.isBranch());
            items.add(TransferItem.of(
                    TransferKeys.checkpoint(
                            location, config.clusterId(), tenant.id(), s.executionId(), s.id(), s.sha256()),
                    s.id(),
                    s.sha256(),
                    s.sizeBytes(),
                    "pending",
                    meta.toString()));
        }
        TransferJob job = new TransferJob(
                id,
                tenant,
                TransferJob.EXPORT,
                location.name(),
                source,
                "queued",
                json.write(r),
                false,
                false,
                handoffId,
                null,
                true,
                null,
                null,
                0,
                0,
                null);
        return jobs.create(client, job, items, clock.now()).map(created -> created ? id : null);
    }

    /** The checkpoints an export names, each once; 422 naming the ids that do not exist. */
    private Uni<List<CheckpointSummary>> resolve(Tenant tenant, ExportRequest r) {
        if (r.checkpointIds() != null) {
            List<String> ids = r.checkpointIds().stream().distinct().toList();
            return Multi.createFrom()
                    .iterable(ids)
                    .onItem()
                    .transformToUniAndConcatenate(
                            id -> checkpoints.find(tenant, id).map(row -> row == null ? id : (Object) row.summary()))
                    .collect()
                    .asList()
                    .map(found -> {
                        List<CheckpointSummary> rows = new ArrayList<>();
                        List<String> missing = new ArrayList<>();
                        for (Object o : found) {
                            if (o instanceof CheckpointSummary s) {
                                rows.add(s);
                            } else {
                                missing.add((String) o);
                            }
                        }
                        if (!missing.isEmpty()) {
                            throw InvalidInput.field(
                                    "checkpoint_ids",
                                    "do not exist: "
                                            + String.join(", ", missing.subList(0, Math.min(20, missing.size()))));
                        }
                        return rows;
                    });
        }
        ExportRequest.Filters f = r.query();
        CheckpointQuery q = f == null
                ? new CheckpointQuery(r.executionId(), null, null, null, null, null, null, null, null, null)
                : new CheckpointQuery(
                        f.executionId(),
                        f.agentId(),
                        f.reason(),
                        f.toolId(),
                        f.thoughtType(),
                        f.minConfidence(),
                        f.maxConfidence(),
                        f.q(),
                        f.from(),
                        f.to());
        return all(tenant, q, null, null, new ArrayList<>());
    }

    /** Every checkpoint a query matches, page by page (newest first). */
    public Uni<List<CheckpointSummary>> all(
            Tenant tenant, CheckpointQuery q, Long afterTs, String afterId, List<CheckpointSummary> into) {
        return checkpoints.query(tenant, q, afterTs, afterId, 500).flatMap(page -> {
            into.addAll(page);
            if (into.size() > MAX_EXPORT) {
                throw InvalidInput.field("", "names more than " + MAX_EXPORT + " checkpoints; export in parts");
            }
            if (page.size() < 500) {
                return Uni.createFrom().item(into);
            }
            CheckpointSummary last = page.get(page.size() - 1);
            return all(tenant, q, last.timestamp(), last.id(), into);
        });
    }

    /** Starts an import (202). */
    public Uni<JobView> importJob(Tenant tenant, ImportRequest r) {
        Location location = locations.get(r.location());
        String base = TransferKeys.clusters(location);
        List<TransferItem> items = new ArrayList<>();
        boolean listingDone = true;
        if (r.manifest() != null) {
            items.add(
                    TransferItem.of(inLocation(location, r.manifest(), "manifest"), null, null, null, "pending", null));
        } else if (r.keys() != null) {
            for (int i = 0; i < r.keys().size(); i++) {
                items.add(TransferItem.of(
                        inLocation(location, r.keys().get(i), "keys[" + i + "]"), null, null, null, "pending", null));
            }
        } else {
            if (!r.prefix().startsWith(base) && !base.startsWith(r.prefix())) {
                throw InvalidInput.field("prefix", "lies outside location '" + location.name() + "' (" + base + ")");
            }
            listingDone = false;
        }
        UUID id = UUID.randomUUID();
        TransferJob job = new TransferJob(
                id,
                tenant,
                TransferJob.IMPORT,
                location.name(),
                TransferJob.SOURCE_API,
                "queued",
                json.write(r),
                r.dryRun(),
                r.resume(),
                null,
                null,
                listingDone,
                null,
                null,
                0,
                0,
                null);
        return jobs.create(pool, job, items.stream().distinct().toList(), clock.now())
                .flatMap(x -> view(tenant, TransferJob.IMPORT, id));
    }

    /** An import job made by sync for one manifest of a location. */
    public Uni<UUID> importManifest(
            SqlClient client, Tenant tenant, Location location, String manifestKey, String source) {
        UUID id = UUID.randomUUID();
        ImportRequest r = new ImportRequest(location.name(), manifestKey, null, null, false, false);
        TransferJob job = new TransferJob(
                id,
                tenant,
                TransferJob.IMPORT,
                location.name(),
                source,
                "queued",
                json.write(r),
                false,
                false,
                null,
                null,
                true,
                null,
                null,
                0,
                0,
                null);
        return jobs.create(
                        client,
                        job,
                        List.of(TransferItem.of(manifestKey, null, null, null, "pending", null)),
                        clock.now())
                .map(x -> id);
    }

    private static String inLocation(Location location, String key, String field) {
        if (!key.startsWith(TransferKeys.clusters(location))) {
            throw InvalidInput.field(
                    field,
                    "lies outside location '" + location.name() + "' (" + TransferKeys.clusters(location) + "...)");
        }
        return key;
    }

    /** The job of the caller's tenant, or 404. */
    public Uni<JobView> view(Tenant tenant, String kind, UUID id) {
        return jobEntities.find(tenant, id, kind).flatMap(job -> {
            if (job == null) {
                throw new ResourceNotFound(kind + " '" + id + "' does not exist");
            }
            return view(job);
        });
    }

    public Uni<JobView> view(TransferJob job) {
        return jobs.counts(job.id())
                .flatMap(counts -> jobs.problems(job.id(), config.transfer().maxErrors())
                        .map(problems -> {
                            long pending = counts.getOrDefault("pending", 0L);
                            long exported = counts.getOrDefault("exported", 0L);
                            long imported = counts.getOrDefault("imported", 0L);
                            long skipped = counts.getOrDefault("skipped", 0L);
                            long conflicts = counts.getOrDefault("conflict", 0L);
                            long failed = counts.getOrDefault("failed", 0L);
                            long done = exported + imported + skipped + conflicts + failed;
                            List<JobView.ItemError> errors = problems.stream()
                                    .map(p -> new JobView.ItemError(
                                            p.key(),
                                            p.checkpointId(),
                                            p.status().equals("listed") ? "incomplete" : p.status(),
                                            p.status().equals("listed")
                                                    ? "no manifest names it: its export is incomplete"
                                                    : p.reason()))
                                    .toList();
                            return new JobView(
                                    job.id().toString(),
                                    job.kind(),
                                    job.status(),
                                    job.location(),
                                    job.source(),
                                    job.dryRun(),
                                    job.resume(),
                                    done + pending,
                                    done,
                                    pending,
                                    exported,
                                    imported,
                                    skipped,
                                    conflicts,
                                    failed,
                                    counts.getOrDefault("listed", 0L),
                                    counts.getOrDefault("manifest", 0L),
                                    errors,
                                    job.result() == null ? null : json.read(job.result()),
                                    job.error(),
                                    job.createdAt(),
                                    job.finishedAt());
                        }));
    }

    /** The job's view every {@code interval} until it finished (the last one is the finished job). */
    public Multi<JobView> progress(Tenant tenant, String kind, UUID id, Duration interval) {
        return view(tenant, kind, id)
                .onItem()
                .transformToMulti(first -> first.finished()
                        ? Multi.createFrom().item(first)
                        : Multi.createBy()
                                .concatenating()
                                .streams(
                                        Multi.createFrom().item(first),
                                        Multi.createBy()
                                                .repeating()
                                                .uni(() -> view(tenant, kind, id))
                                                .withDelay(interval)
                                                .whilst(v -> !v.finished())));
    }

    /** Counts per status, for tests and the worker. */
    Uni<Map<String, Long>> counts(UUID id) {
        return jobs.counts(id).map(LinkedHashMap::new);
    }
}
