package dev.cafstate.events;

/**
 * An event as kept in the outbox: its number among its execution's events (the CloudEvents {@code sequence} and the
 * SSE id), type and CloudEvents JSON.
 */
public record StoredEvent(long sequence, String type, String json) {

    /** The number as the CloudEvents {@code sequence} and SSE id write it: 19 digits, zero-padded. */
    public String sequenceText() {
        return CloudEvents.sequence(sequence);
    }
}
