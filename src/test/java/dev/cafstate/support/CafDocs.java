package dev.cafstate.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds CAF 0.0.1 checkpoint documents shaped like the SDK's, for tests. */
public final class CafDocs {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private final ObjectNode doc = MAPPER.createObjectNode();
    private final ArrayNode steps;
    private final ArrayNode completed;
    private final ArrayNode failed;

    private CafDocs(String id, String executionId, String agentId) {
        doc.put("version", "0.0.1")
                .put("id", id)
                .put("timestamp", System.currentTimeMillis())
                .put("execution_id", executionId)
                .put("agent_id", agentId);
        ObjectNode snapshot = doc.putObject("snapshot");
        steps = snapshot.putObject("thought_chain").putArray("steps");
        ObjectNode context = snapshot.putObject("context");
        context.putArray("messages").addObject().put("role", "user").put("content", "do the task");
        context.putObject("variables").put("task", "t");
        ObjectNode tools = snapshot.putObject("tool_state");
        tools.putArray("pending");
        tools.putArray("running");
        completed = tools.putArray("completed");
        failed = tools.putArray("failed");
        snapshot.putObject("progress")
                .put("step_number", 1)
                .put("iterations_completed", 1)
                .put("tokens_used", 10)
                .put("duration_ms", 5);
        doc.putObject("metadata")
                .put("step_number", 1)
                .put("tokens_used", 10)
                .put("duration_ms", 5)
                .put("checkpoint_reason", "step_complete")
                .put("agent_id", agentId);
    }

    public static CafDocs checkpoint(String id, String executionId) {
        return new CafDocs(id, executionId, "agent-docs");
    }

    public CafDocs step(String id, String type, String content, double confidence) {
        ObjectNode s = steps.addObject()
                .put("id", id)
                .put("type", type)
                .put("content", content)
                .put("confidence", confidence)
                .put("timestamp", 1_700_000_000_000L + steps.size());
        s.putArray("children");
        doc.with("snapshot").with("thought_chain").put("current_step_id", id);
        return this;
    }

    public CafDocs tool(String id, String toolId, boolean ok) {
        ObjectNode call = (ok ? completed : failed)
                .addObject()
                .put("id", id)
                .put("tool_id", toolId)
                .put("status", ok ? "completed" : "failed")
                .put("timestamp", 1_700_000_000_000L);
        call.putObject("arguments").put("path", "x");
        if (ok) {
            call.put("result", "done");
        } else {
            call.put("error", "exit 1");
        }
        return this;
    }

    /** Many steps with long text, to get past the inline threshold. */
    public CafDocs bulk(int count) {
        for (int i = 0; i < count; i++) {
            step("bulk-" + i, "reasoning", "a long enough thought to make the document large, number " + i, 0.5);
        }
        return this;
    }

    public ObjectNode build() {
        return doc;
    }

    @Override
    public String toString() {
        return doc.toString();
    }
}
