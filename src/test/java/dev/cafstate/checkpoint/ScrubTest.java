package dev.cafstate.checkpoint;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static dev.cafstate.support.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.CafDocs;
import dev.cafstate.support.Faults;
import dev.cafstate.support.Metrics;
import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The scrub: objects silently corrupted or lost in the bucket are found although reads are served
 * from the inline copy, repaired from a verified copy where one exists, and reported where none does.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class ScrubTest {

    JsonPath scrub(String tenant) {
        operator(tenant).post("/api/v1/maintenance/scrub").then().statusCode(202);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> operator(tenant)
                                .get("/api/v1/maintenance/scrub")
                                .jsonPath()
                                .get("finished_at")
                        != null);
        return operator(tenant).get("/api/v1/maintenance/scrub").jsonPath();
    }

    static byte[] object(String key) {
        try (S3Client s3 = Storage.client()) {
            return s3.getObjectAsBytes(b -> b.bucket(TestServices.BUCKET).key(key))
                    .asByteArray();
        }
    }

    @Test
    void aByteFlippedInASmallCheckpointsObjectIsFoundAndRepairedFromItsInlineCopy() {
        String tenant = newTenant();
        Response created = as(tenant)
                .body(CafDocs.checkpoint("small", "e")
                        .step("s", "planning", "x", 0.5)
                        .toString())
                .post("/api/v1/checkpoints");
        String key = created.path("object_key");
        byte[] original = object(key);
        byte[] flipped = original.clone();
        flipped[flipped.length / 2] ^= 0x01;
        Faults.begin("a byte of checkpoint 'small' flipped in the bucket");
        try (S3Client s3 = Storage.client()) {
            s3.putObject(b -> b.bucket(TestServices.BUCKET).key(key), RequestBody.fromBytes(flipped));
        }
        // reads come from the verified inline copy, so nothing shows the damage
        as(tenant).get("/api/v1/checkpoints/small/document").then().statusCode(200);

        JsonPath pass = scrub(tenant);
        Faults.end("checkpoint 'small' scrubbed");
        assertThat(pass.getLong("checked")).isEqualTo(1);
        assertThat(pass.getLong("corrupt")).isEqualTo(1);
        assertThat(pass.getLong("repaired")).isEqualTo(1);
        assertThat(object(key)).isEqualTo(original);
        operator(tenant)
                .queryParam("open", false)
                .get("/api/v1/maintenance/scrub/problems")
                .then()
                .statusCode(200)
                .body("items[0].checkpoint_id", equalTo("small"))
                .body("items[0].problem", equalTo("corrupt"))
                .body("items[0].repaired_at", Matchers.notNullValue());
        operator(tenant).get("/api/v1/maintenance/scrub/problems").then().body("items.size()", equalTo(0));
        assertThat(Metrics.gauge("caf_scrub_objects_total{repaired=\"true\",result=\"corrupt\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aLostObjectWithoutInlineCopyIsReportedAndTheRestAreFine() throws Exception {
        String tenant = newTenant();
        for (int i = 0; i < 20; i++) {
            as(tenant)
                    .body(CafDocs.checkpoint("fine-" + i, "e")
                            .step("s", "planning", "x", 0.5)
                            .toString())
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(201);
        }
        // larger than the test profile's 2 KiB inline limit: only the bucket holds it
        String key = as(tenant)
                .body(CafDocs.checkpoint("large", "e").bulk(60).toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201)
                .extract()
                .path("object_key");
        Faults.begin("an object deleted behind the service's back, an inline copy altered in the database");
        try (S3Client s3 = Storage.client()) {
            s3.deleteObject(b -> b.bucket(TestServices.BUCKET).key(key));
        }
        // an inline copy damaged in the database is repaired from its object
        TestServices.sql("UPDATE checkpoints SET document = replace(document, '\"x\"', '\"y\"') " + "WHERE tenant = '"
                + tenant + "' AND id = 'fine-3'");

        JsonPath pass = scrub(tenant);
        Faults.end("the damaged checkpoints scrubbed");
        assertThat(pass.getLong("checked")).isEqualTo(21);
        assertThat(pass.getLong("missing")).isEqualTo(1);
        assertThat(pass.getLong("repaired")).isEqualTo(1);
        operator(tenant)
                .get("/api/v1/maintenance/scrub/problems")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].checkpoint_id", equalTo("large"))
                .body("items[0].problem", equalTo("missing"))
                .body("items[0].object_key", equalTo(key));
        as(tenant).get("/api/v1/checkpoints/fine-3/document").then().statusCode(200);
        assertThat(Metrics.gauge("caf_scrub_open_problems")).isGreaterThanOrEqualTo(1);
        // the scrub is an operator's call
        as(tenant).post("/api/v1/maintenance/scrub").then().statusCode(403);
    }

    @Test
    void aPassIsPacedAndKeepsItsCursor() {
        String tenant = newTenant();
        for (int i = 0; i < 30; i++) {
            as(tenant)
                    .body(CafDocs.checkpoint(String.format("p-%02d", i), "e")
                            .step("s", "planning", "x", 0.5)
                            .toString())
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(201);
        }
        JsonPath pass = scrub(tenant);
        assertThat(pass.getLong("checked")).as(pass.prettify()).isEqualTo(30);
        assertThat(pass.getString("cursor_id")).isEqualTo("p-29");
        assertThat(pass.getString("cursor_tenant")).isEqualTo(tenant);
        // the test profile reads 16 KiB per second, so 30 objects of about 1 KiB take more than one tick
        assertThat(pass.getLong("finished_at") - pass.getLong("started_at")).isGreaterThanOrEqualTo(1000);
    }
}
