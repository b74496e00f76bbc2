package dev.cafstate.events;

import java.time.Instant;
import java.util.UUID;

import dev.cafstate.common.security.Tenant;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.common.config.CafConfig;

/**
 * Builds the CloudEvents 1.0 JSON envelope of every event: {@code type} is the CAF name, {@code subject} the
 * execution id, {@code data} the CAF payload ({@code type}, {@code execution_id}, {@code timestamp} and the
 * event's own member).
 */
@ApplicationScoped
public class CloudEvents {

    private final ObjectMapper mapper;
    private final String source;

    public CloudEvents(ObjectMapper mapper, CafConfig config) {
        this.mapper = mapper;
        this.source = config.events().source();
    }

    /**
     * A new event whose CAF payload carries {@code member} (e.g. {@code thought}) set to {@code value}.
     *
     * @param value any value Jackson can write (a record, a node), or {@code null} for no member
     */
    public ObjectNode event(Tenant tenant, String executionId, String type, long timestamp, String member,
            Object value) {
        ObjectNode data = mapper.createObjectNode();
        data.put("type", type);
        data.put("execution_id", executionId);
        data.put("timestamp", timestamp);
        if (member != null && value != null) {
            data.set(member, mapper.valueToTree(value));
        }
        ObjectNode event = mapper.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", UUID.randomUUID().toString());
        event.put("source", source);
        event.put("type", type);
        event.put("subject", executionId);
        event.put("time", Instant.ofEpochMilli(timestamp).toString());
        event.put("datacontenttype", "application/json");
        event.put("tenant", tenant.id());
        event.set("data", data);
        return event;
    }

    /** The events of one change as the JSON array the outbox insert takes. */
    public String batch(ObjectNode... events) {
        ArrayNode array = mapper.createArrayNode();
        for (ObjectNode e : events) {
            array.add(e);
        }
        return array.toString();
    }

    /** Same, for a list. */
    public String batch(java.util.List<ObjectNode> events) {
        return batch(events.toArray(ObjectNode[]::new));
    }

    /**
     * The RabbitMQ routing key {@code <tenant>.<execution_id>.<type>}; dots inside the tenant or execution id become
     * {@code _} so that topic patterns keep working (the exact id is always in {@code subject}).
     */
    public static String routingKey(String tenant, String executionId, String type) {
        return tenant.replace('.', '_') + "." + executionId.replace('.', '_') + "." + type;
    }
}
