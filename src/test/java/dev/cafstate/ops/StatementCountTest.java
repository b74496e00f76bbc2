package dev.cafstate.ops;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.Metrics;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What a request costs in round trips to PostgreSQL (caf_db_statements_total, a transaction counting its BEGIN and
 * COMMIT): an append is one statement; a checkpoint fourteen (the snapshot: a REPEATABLE READ transaction of six
 * queries, sent together; the object's write claim; then a transaction that takes the execution's catalog lock, reads
 * its open rows, and writes the rows that differ with the claim's release, the link and the event in one statement:
 * four more than when every row was written again, for rows linear in the run); an in-place restore eight (the
 * checkpoint row, then a transaction of the execution row, the current steps and messages (to write only what
 * differs), the deletion of what differs and the insertion). Before the
 * repositories owned their tables: 1, 16 and 13. Background jobs send statements too, so each request is measured as
 * the least over a few tries.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class StatementCountTest {

    static double sent() {
        return Metrics.gauge("caf_db_statements_total{kind=\"statement\"}")
                + 2 * Metrics.gauge("caf_db_statements_total{kind=\"transaction\"}");
    }

    interface Call {
        void run();
    }

    static long cost(Call call) {
        long least = Long.MAX_VALUE;
        // background jobs' statements land in some tries: the least of many is the request's own
        for (int i = 0; i < 15; i++) {
            double before = sent();
            call.run();
            least = Math.min(least, Math.round(sent() - before));
        }
        return least;
    }

    @Test
    void appendsCheckpointsAndRestoresStayWithinTheirRoundTrips() {
        // the count is the code's, whatever the path to PostgreSQL; through PgBouncer (and the tests' proxy) a
        // checkpoint takes long enough for the background rounds' statements to land in every try
        Assumptions.assumeFalse(TestServices.THROUGH_PGBOUNCER, "counted on the run straight to PostgreSQL");
        String tenant = newTenant();
        String id = newExecution(tenant);
        long append = cost(() -> as(tenant)
                .body("{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                .post("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(201));
        long checkpoint = cost(() -> as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201));
        String cp = as(tenant)
                .body("{}")
                .post("/api/v1/executions/{id}/checkpoints", id)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        long restore = cost(() -> as(tenant)
                .body("{}")
                .post("/api/v1/checkpoints/{id}/restore", cp)
                .then()
                .statusCode(200));
        System.out.printf(
                "statements per request: append %d, checkpoint %d, restore %d%n", append, checkpoint, restore);
        assertThat(append).isEqualTo(1);
        assertThat(checkpoint).isLessThanOrEqualTo(CHECKPOINT_BUDGET);
        assertThat(restore).isLessThanOrEqualTo(RESTORE_BUDGET);
    }

    static final long CHECKPOINT_BUDGET = 14;
    static final long RESTORE_BUDGET = 8;
}
