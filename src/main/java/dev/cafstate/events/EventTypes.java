package dev.cafstate.events;

/** Event type names: CAF's own, plus two CAF State extensions for changes CAF has no event for. */
public final class EventTypes {

    public static final String AGENT_STARTED = "agent.started";
    public static final String AGENT_CHECKPOINT = "agent.checkpoint";
    public static final String AGENT_PAUSED = "agent.paused";
    public static final String AGENT_RESUMED = "agent.resumed";
    public static final String AGENT_COMPLETED = "agent.completed";
    public static final String AGENT_FAILED = "agent.failed";
    public static final String AGENT_CANCELLED = "agent.cancelled";
    public static final String THOUGHT_CREATED = "thought.created";
    public static final String THOUGHT_UPDATED = "thought.updated";
    public static final String TOOL_CALLED = "tool.called";
    public static final String TOOL_COMPLETED = "tool.completed";
    public static final String TOOL_FAILED = "tool.failed";
    public static final String CONTEXT_UPDATED = "context.updated";
    /** Extension: progress counters changed (CAF has no event for it). */
    public static final String PROGRESS_UPDATED = "progress.updated";
    /** Extension: execution metadata changed without a status change. */
    public static final String AGENT_UPDATED = "agent.updated";

    private EventTypes() {
    }
}
