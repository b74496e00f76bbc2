package dev.cafstate.checkpoint;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.cafstate.checkpoint.repository.CatalogRows;
import dev.cafstate.checkpoint.repository.CheckpointRepository;
import dev.cafstate.checkpoint.repository.ObjectClaimRepository;
import dev.cafstate.checkpoint.service.ObjectDeletion;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.support.CafDocs;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The orphan reconciler against writers in flight: an object whose rows are not written yet must
 * never be deleted, whatever the grace period.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class ReconcilerRaceTest {

    @Inject
    ObjectClaimRepository claims;

    @Inject
    ObjectDeletion deletion;

    @Inject
    Pool pool;

    @Inject
    CheckpointRepository checkpoints;

    @Test
    void reconcilingInATightLoopWithGraceZeroLosesNoAcknowledgedCheckpoint() throws Exception {
        String tenant = newTenant();
        int writers = 16;
        int each = 12;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reconciles = new AtomicInteger();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(writers + 1);
        Future<?> reconciler = threads.submit(() -> {
            while (writing.get()) {
                operator(tenant)
                        .queryParam("grace_seconds", 0)
                        .post("/api/v1/maintenance/reconcile")
                        .then()
                        .statusCode(200);
                reconciles.incrementAndGet();
            }
            return null;
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> jobs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            jobs.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    String id = "race-" + writer + "-" + i;
                    // about 100 KB: the object is not inline, so only the bucket holds the document
                    String doc =
                            CafDocs.checkpoint(id, "race-" + writer).bulk(1200).toString();
                    Response r = as(tenant).body(doc).post("/api/v1/checkpoints");
                    // as a client does when the service's memory budget for documents is spent: retry shortly
                    while (r.statusCode() == 503 && r.asString().contains("documents-in-flight")) {
                        Thread.sleep(50);
                        r = as(tenant).body(doc).post("/api/v1/checkpoints");
                    }
                    assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
                    acknowledged.add(id);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> job : jobs) {
            job.get();
        }
        writing.set(false);
        reconciler.get();
        threads.shutdown();
        assertThat(reconciles.get()).isGreaterThan(5);

        assertThat(acknowledged).hasSize(writers * each);
        for (String id : acknowledged) {
            Response doc = as(tenant).get("/api/v1/checkpoints/{id}/document", id);
            assertThat(doc.statusCode()).as(id + ": " + doc.asString()).isEqualTo(200);
            assertThat("\"" + sha256(doc.asByteArray()) + "\"").isEqualTo(doc.header("ETag"));
        }
        // nothing is left over either: one object per row, and no claim outlives its write
        assertThat(Storage.keys("tenants/" + tenant + "/")).hasSize(writers * each);
        assertThat(countClaims(tenant)).isZero();
    }

    @Test
    void anExpiredClaimNoLongerProtectsItsObjectAndItsWriterCannotCommit() throws Exception {
        Tenant tenant = Tenant.of(newTenant());
        String key = "tenants/" + tenant.id() + "/executions/e/checkpoints/slow/0000.json";
        UUID claim = UUID.randomUUID();
        claims.claim(key, claim, tenant).await().indefinitely();
        try (S3Client s3 = Storage.client()) {
            s3.putObject(
                    b -> b.bucket(TestServices.BUCKET).key(key), RequestBody.fromString("{}", StandardCharsets.UTF_8));
        }
        // a live claim: the object is spared
        ObjectDeletion.Outcome spared =
                deletion.deleteUnreferenced(List.of(key)).await().indefinitely();
        assertThat(spared.inFlight()).isEqualTo(1);
        assertThat(spared.deleted()).isZero();
        assertThat(Storage.keys(key)).containsExactly(key);
        // past caf.checkpoints.write-claim-timeout (5 s in the test profile) the writer counts as crashed
        Thread.sleep(Duration.ofSeconds(5).plusMillis(300).toMillis());
        ObjectDeletion.Outcome removed =
                deletion.deleteUnreferenced(List.of(key)).await().indefinitely();
        assertThat(removed.deleted()).isEqualTo(1);
        assertThat(Storage.keys(key)).isEmpty();
        // and the late writer learns it lost its claim, so it does not commit a row without an object
        CatalogRows rows = CatalogRows.of(
                CafDocs.checkpoint("slow", "e").step("s1", "planning", "p", 0.5).build());
        CheckpointRepository.Inserted late = checkpoints
                .insert(
                        tenant,
                        new CheckpointRepository.NewCheckpoint(
                                "slow",
                                rows,
                                new CheckpointRepository.StoredObjectRef(key, "0000", "0000", 2, null),
                                null,
                                null,
                                claim),
                        new CheckpointRepository.Provenance(null, true, List.of()),
                        true,
                        "[]",
                        0)
                .await()
                .indefinitely();
        assertThat(late.claimHeld()).isFalse();
        assertThat(late.inserted()).isFalse();
        assertThat(checkpoints.find(tenant, "slow").await().indefinitely()).isNull();
    }

    private long countClaims(String tenant) {
        return pool.preparedQuery("SELECT count(*) FROM object_claims WHERE tenant = $1")
                .execute(Tuple.of(tenant))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
