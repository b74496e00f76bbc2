package dev.cafstate.checkpoint.catalog;

import java.io.Serializable;
import java.util.Objects;

/** The key of a catalog row: its execution, its position, and the first checkpoint (sequence) that contains it. */
public class CatalogRowKey implements Serializable {
    public String tenant;
    public String executionId;
    public int seq;
    public long fromCseq;

    public CatalogRowKey() {}

    @Override
    public boolean equals(Object o) {
        return o instanceof CatalogRowKey k
                && Objects.equals(tenant, k.tenant)
                && Objects.equals(executionId, k.executionId)
                && seq == k.seq
                && fromCseq == k.fromCseq;
    }

    @Override
    public int hashCode() {
        return Objects.hash(tenant, executionId, seq, fromCseq);
    }
}
