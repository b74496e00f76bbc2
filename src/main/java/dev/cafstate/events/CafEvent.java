package dev.cafstate.events;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cafstate.caf.ExecutionProgress;
import dev.cafstate.caf.ThoughtStep;
import dev.cafstate.caf.ToolCall;
import dev.cafstate.checkpoint.api.CheckpointSummary;
import dev.cafstate.runtime.api.ExecutionStatus;

/**
 * The events this service emits, one record per type: CAF's own names ({@code caf-format.md}, "Events") and three
 * extensions for changes CAF has no event for ({@code progress.updated}, {@code agent.updated},
 * {@code handoff.changed}). Each carries its
 * execution and the one member its CAF payload adds to {@code execution_id} and {@code timestamp}.
 */
public sealed interface CafEvent {

    /** The execution the event is about (also the CloudEvents {@code subject}). */
    String executionId();

    /** The CAF event name, e.g. {@code thought.created}. */
    String type();

    /** The payload's own member, e.g. {@code thought}. */
    String member();

    /** Its value: anything Jackson writes. */
    Object value();

    record AgentStarted(String executionId, String agentId) implements CafEvent {
        public String type() {
            return "agent.started";
        }

        public String member() {
            return "agent_id";
        }

        public Object value() {
            return agentId;
        }
    }

    record AgentCheckpoint(String executionId, CheckpointSummary checkpoint) implements CafEvent {
        public String type() {
            return "agent.checkpoint";
        }

        public String member() {
            return "checkpoint";
        }

        public Object value() {
            return checkpoint;
        }
    }

    /** The execution runs again: after a pause ({@code status}), or restored from a checkpoint. */
    record AgentResumed(String executionId, String status, String checkpointId) implements CafEvent {
        public String type() {
            return "agent.resumed";
        }

        public String member() {
            return checkpointId != null ? "checkpoint_id" : "status";
        }

        public Object value() {
            return checkpointId != null ? checkpointId : status;
        }
    }

    record AgentPaused(String executionId) implements CafEvent {
        public String type() {
            return "agent.paused";
        }

        public String member() {
            return "status";
        }

        public Object value() {
            return "paused";
        }
    }

    record AgentCompleted(String executionId) implements CafEvent {
        public String type() {
            return "agent.completed";
        }

        public String member() {
            return "status";
        }

        public Object value() {
            return "completed";
        }
    }

    record AgentFailed(String executionId) implements CafEvent {
        public String type() {
            return "agent.failed";
        }

        public String member() {
            return "status";
        }

        public Object value() {
            return "failed";
        }
    }

    record AgentCancelled(String executionId) implements CafEvent {
        public String type() {
            return "agent.cancelled";
        }

        public String member() {
            return "status";
        }

        public Object value() {
            return "cancelled";
        }
    }

    /** Extension: the execution's metadata changed without a status change. */
    record AgentUpdated(String executionId, JsonNode metadata) implements CafEvent {
        public String type() {
            return "agent.updated";
        }

        public String member() {
            return "metadata";
        }

        public Object value() {
            return metadata;
        }
    }

    record ThoughtCreated(String executionId, ThoughtStep thought) implements CafEvent {
        public String type() {
            return "thought.created";
        }

        public String member() {
            return "thought";
        }

        public Object value() {
            return thought;
        }
    }

    record ThoughtUpdated(String executionId, ThoughtStep thought) implements CafEvent {
        public String type() {
            return "thought.updated";
        }

        public String member() {
            return "thought";
        }

        public Object value() {
            return thought;
        }
    }

    record ToolCalled(String executionId, ToolCall toolCall) implements CafEvent {
        public String type() {
            return "tool.called";
        }

        public String member() {
            return "tool_call";
        }

        public Object value() {
            return toolCall;
        }
    }

    record ToolCompleted(String executionId, ToolCall toolCall) implements CafEvent {
        public String type() {
            return "tool.completed";
        }

        public String member() {
            return "tool_call";
        }

        public Object value() {
            return toolCall;
        }
    }

    /** A call failed or was cancelled (CAF lists both under {@code failed}). */
    record ToolFailed(String executionId, ToolCall toolCall) implements CafEvent {
        public String type() {
            return "tool.failed";
        }

        public String member() {
            return "tool_call";
        }

        public Object value() {
            return toolCall;
        }
    }

    record ContextUpdated(String executionId, JsonNode changes) implements CafEvent {
        public String type() {
            return "context.updated";
        }

        public String member() {
            return "changes";
        }

        public Object value() {
            return changes;
        }
    }

    /** Extension: the progress counters changed. */
    record ProgressUpdated(String executionId, ExecutionProgress progress) implements CafEvent {
        public String type() {
            return "progress.updated";
        }

        public String member() {
            return "progress";
        }

        public Object value() {
            return progress;
        }
    }

    /** The event announcing a move into {@code status}. */
    public static CafEvent statusChanged(String executionId, ExecutionStatus status) {
        return switch (status) {
            case PAUSED -> new AgentPaused(executionId);
            case RUNNING, PENDING -> new AgentResumed(executionId, status.wire(), null);
            case COMPLETED -> new AgentCompleted(executionId);
            case FAILED -> new AgentFailed(executionId);
            case CANCELLED -> new AgentCancelled(executionId);
        };
    }

    /** The event announcing that a call moved to {@code status}. */
    public static CafEvent toolMoved(String executionId, ToolCall call) {
        return switch (call.status()) {
            case COMPLETED -> new ToolCompleted(executionId, call);
            case FAILED, CANCELLED -> new ToolFailed(executionId, call);
            case PENDING, RUNNING -> new ToolCalled(executionId, call);
        };
    }

    /** A handoff of the execution moves on (a CAF State extension): the payload's {@code handoff}. */
    record HandoffChanged(String executionId, Object handoff) implements CafEvent {
        public String type() {
            return "handoff.changed";
        }

        public String member() {
            return "handoff";
        }

        public Object value() {
            return handoff;
        }
    }
}
