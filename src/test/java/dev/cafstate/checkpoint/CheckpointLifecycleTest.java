package dev.cafstate.checkpoint;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.CafDocs;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Delete, retention and the orphan reconciler, and failures of S3 and PostgreSQL. */
@QuarkusTest
@WithTestResource(TestServices.class)
class CheckpointLifecycleTest {

    @Test
    void deleteRemovesRowsAndObject() {
        String tenant = newTenant();
        String key = as(tenant)
                .body(CafDocs.checkpoint("d1", "e")
                        .step("s", "planning", "x", 0.5)
                        .tool("t1", "read_file", true)
                        .toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201)
                .extract()
                .path("object_key");
        assertThat(Storage.keys(key)).containsExactly(key);
        as(tenant).delete("/api/v1/checkpoints/d1").then().statusCode(204);
        as(tenant).get("/api/v1/checkpoints/d1").then().statusCode(404);
        as(tenant).get("/api/v1/checkpoints/d1/thoughts").then().statusCode(404);
        assertThat(Storage.keys(key)).isEmpty();
        as(tenant).delete("/api/v1/checkpoints/d1").then().statusCode(404);
        // nothing of the first d1 is left: the same id takes new content, and shows only its own rows
        as(tenant)
                .body(CafDocs.checkpoint("d1", "e")
                        .step("s2", "decision", "y", 0.9)
                        .tool("t2", "grep", true)
                        .toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
        assertThat(as(tenant)
                        .get("/api/v1/checkpoints/d1/thoughts")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("items.id"))
                .containsExactly("s2");
        assertThat(as(tenant)
                        .get("/api/v1/checkpoints/d1/tool-calls")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("items.id"))
                .containsExactly("t2");
    }

    @Test
    void retentionKeepsTheNewestPerExecution() {
        // the test profile keeps the last 3 per execution
        String tenant = newTenant();
        for (int i = 0; i < 5; i++) {
            var doc = CafDocs.checkpoint("r" + i, "ret").build().put("timestamp", 1000 + i);
            as(tenant).body(doc.toString()).post("/api/v1/checkpoints").then().statusCode(201);
        }
        as(tenant)
                .body(CafDocs.checkpoint("other", "ret-2").toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
        operator(tenant)
                .post("/api/v1/maintenance/retention")
                .then()
                .statusCode(200)
                .body("deleted", equalTo(2));
        List<String> left = as(tenant)
                .queryParam("execution_id", "ret")
                .get("/api/v1/checkpoints")
                .then()
                .extract()
                .path("items.id");
        assertThat(left).containsExactly("r4", "r3", "r2");
        as(tenant).get("/api/v1/checkpoints/other").then().statusCode(200);
        String prefix = "tenants/" + tenant + "/executions/ret/";
        assertThat(Storage.keys(prefix)).hasSize(3);
    }

    @Test
    void reconcilerRemovesOrphansOnly() throws Exception {
        String tenant = newTenant();
        String kept = as(tenant)
                .body(CafDocs.checkpoint("kept", "e").toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201)
                .extract()
                .path("object_key");
        String orphan = "tenants/" + tenant + "/executions/e/checkpoints/ghost/0000.json";
        try (S3Client s3 = Storage.client()) {
            s3.putObject(
                    b -> b.bucket(TestServices.BUCKET).key(orphan),
                    RequestBody.fromString("{}", StandardCharsets.UTF_8));
        }
        Thread.sleep(2100); // past the test profile's 1 s grace (S3Proxy keeps second precision)
        operator(tenant)
                .post("/api/v1/maintenance/reconcile")
                .then()
                .statusCode(200)
                .body("scanned", equalTo(2))
                .body("orphans_removed", equalTo(1));
        assertThat(Storage.keys("tenants/" + tenant + "/")).containsExactly(kept);
    }

    @Test
    void withS3DownCreateIs503AndNothingIsWrittenWhileTheRuntimeWorks() throws Exception {
        String tenant = newTenant();
        String id = CheckpointCreateTest.seed(tenant);
        TestServices.storage().cut();
        try {
            as(tenant)
                    .body("{}")
                    .post("/api/v1/executions/{id}/checkpoints", id)
                    .then()
                    .statusCode(503)
                    .header("Retry-After", "5")
                    .contentType("application/problem+json");
            as(tenant)
                    .body(CafDocs.checkpoint("pushed", id).toString())
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(503);
            as(tenant)
                    .body("{\"type\":\"planning\",\"content\":\"still thinking\",\"confidence\":0.5}")
                    .post("/api/v1/executions/{id}/thoughts", id)
                    .then()
                    .statusCode(201);
        } finally {
            TestServices.storage().open();
        }
        as(tenant)
                .queryParam("execution_id", id)
                .get("/api/v1/checkpoints")
                .then()
                .body("items.size()", equalTo(0));
        as(tenant).get("/api/v1/executions/{id}", id).then().body("current_checkpoint_id", equalTo(null));
        as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201);
    }

    @Test
    void whenTheRowsCannotBeWrittenTheNewObjectIsRemovedAgain() throws Exception {
        String tenant = newTenant();
        // PostgreSQL refuses this tenant's checkpoint rows (as when its disk is full) after the object was written
        TestServices.sql(
                """
                CREATE OR REPLACE FUNCTION test_refuse_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.tenant = '%s' THEN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END IF;
                  RETURN NEW;
                END $$""".formatted(tenant),
                "CREATE TRIGGER test_refuse_checkpoint BEFORE INSERT ON checkpoints FOR EACH ROW "
                        + "EXECUTE FUNCTION test_refuse_checkpoint()");
        try {
            as(tenant)
                    .body(CafDocs.checkpoint("rows-fail", "e-rows")
                            .step("s", "planning", "x", 0.5)
                            .toString())
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", notNullValue());
        } finally {
            TestServices.sql("DROP TRIGGER test_refuse_checkpoint ON checkpoints");
        }
        assertThat(Storage.keys("tenants/" + tenant + "/")).isEmpty();
        as(tenant).get("/api/v1/checkpoints/rows-fail").then().statusCode(404);
        as(tenant)
                .body(CafDocs.checkpoint("rows-fail", "e-rows")
                        .step("s", "planning", "x", 0.5)
                        .toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
        assertThat(Storage.keys("tenants/" + tenant + "/")).hasSize(1);
    }

    @Test
    void withPostgresDownCreateIs503AndNoObjectIsWritten() throws Exception {
        String tenant = newTenant();
        TestServices.database().cut();
        try {
            as(tenant)
                    .body(CafDocs.checkpoint("pg-down", "e-pg")
                            .step("s", "planning", "x", 0.5)
                            .toString())
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(503)
                    .header("Retry-After", "2")
                    .contentType("application/problem+json");
        } finally {
            TestServices.database().open();
        }
        assertThat(Storage.keys("tenants/" + tenant + "/")).isEmpty();
        Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .untilAsserted(() ->
                        as(tenant).get("/api/v1/checkpoints/pg-down").then().statusCode(404));
        as(tenant)
                .body(CafDocs.checkpoint("pg-down", "e-pg")
                        .step("s", "planning", "x", 0.5)
                        .toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
    }
}
