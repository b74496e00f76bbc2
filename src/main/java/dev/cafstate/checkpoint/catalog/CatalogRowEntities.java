package dev.cafstate.checkpoint.catalog;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.cafstate.common.db.SafeContexts;
import dev.cafstate.common.security.Tenant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

/**
 * A checkpoint's thoughts and finished tool calls, read as entities: the rows of its execution whose range holds its
 * sequence number, in chain order, a page at a time (each call a session of its own, on a safe context).
 */
public final class CatalogRowEntities {

    private CatalogRowEntities() {}

    /** The rows of checkpoint {@code :id} (alias {@code c}) among those of alias {@code r}. */
    static final String OF_CHECKPOINT = " r, CheckpointEntity c where c.tenant = :tenant and c.id = :id"
            + " and r.tenant = c.tenant and r.executionId = c.executionId"
            + " and r.fromCseq <= c.cseq and (r.toCseq is null or r.toCseq >= c.cseq) and r.seq > :after";

    /** The thoughts. */
    @ApplicationScoped
    public static class Thoughts implements PanacheRepositoryBase<CatalogThoughtEntity, CatalogRowKey> {

        private final SafeContexts contexts;

        public Thoughts(SafeContexts contexts) {
            this.contexts = contexts;
        }

        /** A page of the checkpoint's thoughts after position {@code after}, optionally of a type and confidence. */
        public Uni<List<CatalogThoughtEntity>> ofCheckpoint(
                Tenant tenant, String id, String type, Double min, Double max, long after, int limit) {
            StringBuilder q = new StringBuilder("select r from CatalogThoughtEntity" + OF_CHECKPOINT);
            Parameters p = Parameters.with("tenant", tenant.id()).and("id", id).and("after", (int) after);
            if (type != null) {
                q.append(" and r.type = :type");
                p.and("type", type);
            }
            if (min != null) {
                q.append(" and r.confidence >= :min");
                p.and("min", min);
            }
            if (max != null) {
                q.append(" and r.confidence <= :max");
                p.and("max", max);
            }
            q.append(" order by r.seq");
            return contexts.run(() -> Panache.withSession(
                    () -> find(q.toString(), p).range(0, limit - 1).list()));
        }
    }

    /** The finished tool calls. */
    @ApplicationScoped
    public static class ToolCalls implements PanacheRepositoryBase<CatalogToolCallEntity, CatalogRowKey> {

        private final SafeContexts contexts;

        public ToolCalls(SafeContexts contexts) {
            this.contexts = contexts;
        }

        /** A page of the checkpoint's finished calls after position {@code after}, optionally of a tool and status. */
        public Uni<List<CatalogToolCallEntity>> ofCheckpoint(
                Tenant tenant, String id, String toolId, String status, long after, int limit) {
            StringBuilder q = new StringBuilder("select r from CatalogToolCallEntity" + OF_CHECKPOINT);
            Parameters p = Parameters.with("tenant", tenant.id()).and("id", id).and("after", (int) after);
            if (toolId != null) {
                q.append(" and r.toolId = :tool");
                p.and("tool", toolId);
            }
            if (status != null) {
                q.append(" and r.status = :status");
                p.and("status", status);
            }
            q.append(" order by r.seq");
            return contexts.run(() -> Panache.withSession(
                    () -> find(q.toString(), p).range(0, limit - 1).list()));
        }
    }
}
