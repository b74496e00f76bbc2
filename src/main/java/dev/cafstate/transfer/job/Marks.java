package dev.cafstate.transfer.job;

import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Uni;

/** The outcomes of one batch of items, written in one statement once the batch is through. */
final class Marks {

    record Mark(long seq, String status, String reason, String checkpointId) {}

    private final List<Mark> marks = new ArrayList<>();

    /** Records an item's outcome (written with the batch's). */
    synchronized Uni<Void> mark(long seq, String status, String reason, String checkpointId) {
        marks.add(new Mark(seq, status, reason, checkpointId));
        return Uni.createFrom().voidItem();
    }

    synchronized List<Mark> all() {
        return List.copyOf(marks);
    }
}
