package dev.cafstate.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;

import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.cafstate.checkpoint.catalog.CatalogThoughtEntity;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A measurement, not a test (run with {@code -Dmeasure=true -Dtest=CatalogInsertMeasurement}): the thought rows of a
 * checkpoint written as entities through a stateless session ({@code insertMultiple}, with Hibernate's statement
 * batching) against the native statement the service sends (one {@code INSERT ... SELECT FROM unnest} of one array
 * per column). Prints the medians; docs/architecture.md quotes them.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
@EnabledIfSystemProperty(named = "measure", matches = "true")
class CatalogInsertMeasurement {

    @Inject
    Mutiny.SessionFactory sessions;

    @Inject
    Pool pool;

    static List<CatalogThoughtEntity> rows(String execution, int count) {
        List<CatalogThoughtEntity> rows = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            CatalogThoughtEntity t = new CatalogThoughtEntity();
            t.tenant = "measure";
            t.executionId = execution;
            t.seq = i;
            t.fromCseq = 1;
            t.hash = new byte[32];
            t.id = "s" + i;
            t.type = "reasoning";
            t.content = "Compare the candidate plans, read the relevant files and decide the next action " + i;
            t.reasoning = "The previous step showed the dependency graph changed; re-check the lockfile first.";
            t.confidence = 0.72;
            t.createdAt = 1_700_000_000_000L + i;
            rows.add(t);
        }
        return rows;
    }

    long entities(String execution, int count) {
        List<CatalogThoughtEntity> rows = rows(execution, count);
        long started = System.nanoTime();
        sessions.withStatelessTransaction(s -> s.insertMultiple(rows)).await().indefinitely();
        return System.nanoTime() - started;
    }

    long statement(String execution, int count) {
        List<CatalogThoughtEntity> rows = rows(execution, count);
        long started = System.nanoTime();
        pool.preparedQuery("""
                        INSERT INTO catalog_thoughts (tenant, execution_id, seq, from_cseq, hash, id, type, content,
                          reasoning, confidence, children_json, created_at)
                        SELECT 'measure', $1, u.seq, 1, u.hash, u.id, u.type, u.content, u.reasoning, u.confidence,
                          '[]'::jsonb, u.ts
                        FROM unnest($2::int[], $3::bytea[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::float8[], $9::bigint[]) AS u(seq, hash, id, type, content, reasoning, confidence, ts)""")
                .execute(Tuple.from(new Object[] {
                    execution,
                    rows.stream().map(t -> t.seq).toArray(Integer[]::new),
                    rows.stream().map(t -> Buffer.buffer(t.hash)).toArray(Buffer[]::new),
                    rows.stream().map(t -> t.id).toArray(String[]::new),
                    rows.stream().map(t -> t.type).toArray(String[]::new),
                    rows.stream().map(t -> t.content).toArray(String[]::new),
                    rows.stream().map(t -> t.reasoning).toArray(String[]::new),
                    rows.stream().map(t -> t.confidence).toArray(Double[]::new),
                    rows.stream().map(t -> t.createdAt).toArray(Long[]::new)
                }))
                .await()
                .indefinitely();
        return System.nanoTime() - started;
    }

    static double medianMs(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    @Test
    void thoughtRowsAsEntitiesAgainstTheNativeStatement() throws Exception {
        // the entity maps its json columns read-only (formulas); on this throwaway database the children get a default
        TestServices.sql("ALTER TABLE catalog_thoughts ALTER COLUMN children_json SET DEFAULT '[]'");
        for (int count : new int[] {10, 1000}) {
            int rounds = 25;
            long[] e = new long[rounds];
            long[] n = new long[rounds];
            for (int warm = 0; warm < 10; warm++) {
                entities("warm-e-" + count + "-" + warm, count);
                statement("warm-n-" + count + "-" + warm, count);
            }
            for (int r = 0; r < rounds; r++) {
                // alternate, so that both see the same machine
                e[r] = entities("e-" + count + "-" + r, count);
                n[r] = statement("n-" + count + "-" + r, count);
            }
            System.out.printf(
                    "catalog insert of %d thought rows: entities (insertMultiple) %.2f ms, native statement %.2f ms,"
                            + " ratio %.2f%n",
                    count, medianMs(e), medianMs(n), medianMs(e) / medianMs(n));
        }
    }
}
