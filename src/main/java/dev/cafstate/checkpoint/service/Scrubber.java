package dev.cafstate.checkpoint.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.cafstate.caf.Checkpoint;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.repository.CheckpointRepository.Stored;
import dev.cafstate.checkpoint.repository.ScrubRepository;
import dev.cafstate.checkpoint.repository.ScrubRepository.Pass;
import dev.cafstate.checkpoint.storage.CanonicalJson;
import dev.cafstate.checkpoint.storage.CheckpointStorage;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.jobs.BackgroundTimers;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Verifies stored checkpoints: every object is read back and its SHA-256 checked against its row,
 * and so is the inline copy where one is kept. The bucket is what other clusters import and what disaster recovery
 * reads, so a byte flipped there must be found even while reads are served from the inline copy. A missing or corrupt
 * object is rewritten from a verified inline copy when there is one, and a corrupt inline copy from a verified object;
 * what cannot be repaired stays an open problem. Each finding is a log line, a row in {@code scrub_problems}
 * ({@code GET /maintenance/scrub/problems}) and a count in {@code caf_scrub_objects_total{result, repaired}}.
 * <p>
 * A pass walks the checkpoints in key order and keeps its cursor in PostgreSQL, so a restart resumes it; one replica
 * at a time works a pass (a lease). The scheduled pass covers every tenant every
 * {@code caf.checkpoints.scrub-interval};
 * an operator can start a pass of their tenant at any time. Reads are paced to
 * {@code caf.checkpoints.scrub-bytes-per-second}.
 */
@ApplicationScoped
public class Scrubber {

    /** How often a batch is taken (and the pacing unit). */
    static final long TICK_MS = 1000;
    /** Most checkpoints in one batch. */
    static final int BATCH = 100;
    /** How long a lease outlives its last batch. */
    static final long LEASE_MS = 30_000;

    private final CheckpointRepository checkpoints;
    private final ScrubRepository scrubs;
    private final CheckpointStorage storage;
    private final CafConfig config;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final String owner = UUID.randomUUID().toString();
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile long openProblems;
    /** Pacing: no batch before this time, so that an object larger than a tick's budget is paid for in later ticks. */
    private volatile long restUntil;

    public Scrubber(
            CheckpointRepository checkpoints,
            ScrubRepository scrubs,
            CheckpointStorage storage,
            CafConfig config,
            MeterRegistry metrics,
            Clock clock) {
        this.checkpoints = checkpoints;
        this.scrubs = scrubs;
        this.storage = storage;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event, BackgroundTimers timers) {
        Gauge.builder("caf.scrub.open.problems", this, s -> s.openProblems)
                .description("Checkpoints whose object or inline copy failed the scrub and is not repaired")
                .register(metrics);
        timers.every(Duration.ofSeconds(5), Duration.ofMillis(TICK_MS), () -> {
            if (busy.compareAndSet(false, true)) {
                tick().subscribe().with(x -> busy.set(false), e -> {
                    busy.set(false);
                    Log.warnf("scrub batch failed, will retry: %s", e.toString());
                });
            }
        });
    }

    /** Starts (or starts over) a pass over one tenant's checkpoints. */
    public Uni<Pass> startPass(Tenant tenant) {
        return scrubs.start(tenant.id(), clock.now());
    }

    /** The state of the tenant's own pass; 404 when none was started. */
    public Uni<Pass> pass(Tenant tenant) {
        return scrubs.find(tenant.id()).map(p -> {
            if (p == null) {
                throw new ResourceNotFound("no scrub was started for this tenant; POST /api/v1/maintenance/scrub");
            }
            return p;
        });
    }

    /** The tenant's problems (open ones, or all), newest first. */
    public Uni<List<ScrubRepository.Problem>> problems(Tenant tenant, boolean openOnly, int limit) {
        return scrubs.problems(tenant, openOnly, limit);
    }

    /** One batch of the first pass this replica may work on, after starting the scheduled pass when it is due. */
    Uni<Void> tick() {
        long now = clock.now();
        if (now < restUntil) {
            return Uni.createFrom().voidItem();
        }
        return scheduleIfDue(now)
                .flatMap(x -> scrubs.unfinished())
                .flatMap(scopes -> Multi.createFrom()
                        .iterable(scopes)
                        .onItem()
                        .transformToUniAndConcatenate(scope ->
                                scrubs.lease(scope, owner, now, now + LEASE_MS).map(leased -> leased ? scope : null))
                        .filter(scope -> scope != null)
                        .toUni())
                .flatMap(scope -> scope == null ? Uni.createFrom().voidItem() : batch(scope))
                .flatMap(x -> scrubs.openProblems())
                .invoke(n -> openProblems = n)
                .replaceWithVoid();
    }

    private Uni<Void> scheduleIfDue(long now) {
        long interval = config.checkpoints().scrubInterval().toMillis();
        if (interval <= 0) {
            return Uni.createFrom().voidItem();
        }
        return scrubs.find(ScrubRepository.ALL_TENANTS)
                .flatMap(p -> p == null || (p.finishedAt() != null && p.finishedAt() + interval <= now)
                        ? scrubs.start(ScrubRepository.ALL_TENANTS, now).replaceWithVoid()
                        : Uni.createFrom().voidItem());
    }

    private Uni<Void> batch(String scope) {
        Optional<Tenant> tenant =
                ScrubRepository.ALL_TENANTS.equals(scope) ? Optional.empty() : Optional.of(Tenant.of(scope));
        long budget = Math.max(1, config.checkpoints().scrubBytesPerSecond() * TICK_MS / 1000);
        return scrubs.find(scope)
                .flatMap(pass -> checkpoints
                        .after(tenant, pass.cursorTenant(), pass.cursorId(), BATCH)
                        .flatMap(rows -> {
                            if (rows.isEmpty()) {
                                return scrubs.finish(scope, clock.now())
                                        .invoke(() -> Log.infof(
                                                "scrub pass of %s finished",
                                                scope.equals("*") ? "all tenants" : "tenant " + scope));
                            }
                            // take rows until the byte budget of this tick is spent (at least one)
                            int n = 0;
                            long bytes = 0;
                            while (n < rows.size()
                                    && (n == 0 || bytes + rows.get(n).sizeBytes() <= budget)) {
                                bytes += rows.get(n).sizeBytes();
                                n++;
                            }
                            List<Stored> taken = rows.subList(0, n);
                            restUntil = clock.now()
                                    + bytes
                                            * 1000
                                            / Math.max(1, config.checkpoints().scrubBytesPerSecond());
                            Stored last = taken.get(taken.size() - 1);
                            Log.debugf(
                                    "scrub %s: %d of %d rows after (%s, %s), through %s",
                                    scope, n, rows.size(), pass.cursorTenant(), pass.cursorId(), last.id());
                            return Multi.createFrom()
                                    .iterable(taken)
                                    .onItem()
                                    .transformToUniAndConcatenate(this::verify)
                                    .collect()
                                    .asList()
                                    .flatMap(results -> scrubs.advance(
                                            scope,
                                            last.tenant(),
                                            last.id(),
                                            results.stream()
                                                    .filter(f -> !f.state().equals("gone"))
                                                    .count(),
                                            count(results, "corrupt") + count(results, "inline-corrupt"),
                                            count(results, "missing"),
                                            results.stream()
                                                    .filter(Finding::repaired)
                                                    .count()));
                        }));
    }

    private static long count(List<Finding> results, String state) {
        return results.stream().filter(f -> f.state().equals(state)).count();
    }

    /** What the scrub found for one checkpoint: {@code ok, corrupt, missing, inline-corrupt} or {@code gone}. */
    record Finding(String state, boolean repaired) {}

    /** Verifies one checkpoint. */
    Uni<Finding> verify(Stored row) {
        long now = clock.now();
        boolean inlineOk = row.inlineDocument() == null
                || CanonicalJson.sha256(row.inlineDocument().getBytes(StandardCharsets.UTF_8))
                        .equals(row.sha256());
        return storage.get(row.objectKey())
                .map(bytes -> CanonicalJson.sha256(bytes).equals(row.sha256()) ? "ok" : "corrupt")
                .onFailure(ResourceNotFound.class)
                .recoverWithItem("missing")
                // a checkpoint deleted meanwhile has no object any more: that is not a finding
                .flatMap(state -> state.equals("ok")
                        ? Uni.createFrom().item(state)
                        : checkpoints.exists(row.tenant(), row.id()).map(exists -> exists ? state : "gone"))
                .flatMap(state -> switch (state) {
                    case "gone" -> Uni.createFrom().item(new Finding("gone", false));
                    case "ok" ->
                        inlineOk
                                ? scrubs.resolved(row.tenant(), row.id(), now).replaceWith(new Finding("ok", false))
                                : repairInline(row, now);
                    default ->
                        inlineOk && row.inlineDocument() != null
                                ? repairObject(row, state, now)
                                : unrepairable(row, state, inlineOk, now);
                })
                .invoke(f -> metrics.counter(
                                "caf.scrub.objects", "result", f.state(), "repaired", String.valueOf(f.repaired()))
                        .increment());
    }

    private Uni<Finding> repairObject(Stored row, String state, long now) {
        byte[] bytes = row.inlineDocument().getBytes(StandardCharsets.UTF_8);
        return storage.put(row.objectKey(), bytes, row.sha256(), Checkpoint.SCHEMA_VERSION)
                .flatMap(x -> scrubs.record(
                        row.tenant(),
                        row.id(),
                        row.objectKey(),
                        state,
                        "the object was " + state + "; rewritten from the verified inline copy",
                        now,
                        now))
                .invoke(() -> Log.warnf(
                        "scrub: object of checkpoint %s (tenant %s, %s) was %s; repaired from its " + "inline copy",
                        row.id(), row.tenant(), row.objectKey(), state))
                .replaceWith(new Finding(state, true));
    }

    private Uni<Finding> repairInline(Stored row, long now) {
        return storage.get(row.objectKey())
                .flatMap(bytes ->
                        checkpoints.repairInline(row.tenant(), row.id(), new String(bytes, StandardCharsets.UTF_8)))
                .flatMap(x -> scrubs.record(
                        row.tenant(),
                        row.id(),
                        row.objectKey(),
                        "inline-corrupt",
                        "the inline copy failed its checksum; rewritten from the verified object",
                        now,
                        now))
                .invoke(() -> Log.warnf(
                        "scrub: inline copy of checkpoint %s (tenant %s) failed its checksum; "
                                + "repaired from its object",
                        row.id(), row.tenant()))
                .replaceWith(new Finding("inline-corrupt", true));
    }

    private Uni<Finding> unrepairable(Stored row, String state, boolean inlineOk, long now) {
        String detail = "the object is " + state
                + (row.inlineDocument() == null
                        ? "; no inline copy is kept"
                        : inlineOk ? "" : " and the inline copy failed its checksum too")
                + ": restore it from a backup or"
                + " another cluster's copy";
        return scrubs.record(row.tenant(), row.id(), row.objectKey(), state, detail, now, null)
                .invoke(() -> Log.errorf(
                        "scrub: checkpoint %s (tenant %s, %s): %s", row.id(), row.tenant(), row.objectKey(), detail))
                .replaceWith(new Finding(state, false));
    }
}
