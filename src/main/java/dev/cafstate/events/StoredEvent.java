package dev.cafstate.events;

/** An event as kept in the outbox: its sequence number (the SSE id), type and CloudEvents JSON. */
public record StoredEvent(long seq, String type, String json) {}
