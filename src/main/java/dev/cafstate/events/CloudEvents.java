package dev.cafstate.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.security.Tenant;

/**
 * Builds the CloudEvents 1.0 JSON envelope of every event: {@code type} is the CAF name, {@code subject} the
 * execution id, {@code data} the CAF payload ({@code type}, {@code execution_id}, {@code timestamp} and the
 * event's own member). The {@code sequence} extension is added as the outbox records the event (it numbers each
 * execution's events).
 */
@ApplicationScoped
public class CloudEvents {

    private final ObjectMapper mapper;
    private final String source;

    public CloudEvents(ObjectMapper mapper, CafConfig config) {
        this.mapper = mapper;
        this.source = config.events().source();
    }

    /** The CloudEvents 1.0 envelope of an event of {@code tenant} at {@code timestamp} (epoch ms). */
    public ObjectNode envelope(Tenant tenant, long timestamp, CafEvent e) {
        ObjectNode data = mapper.createObjectNode();
        data.put("type", e.type());
        data.put("execution_id", e.executionId());
        data.put("timestamp", timestamp);
        if (e.value() != null) {
            data.set(e.member(), mapper.valueToTree(e.value()));
        }
        ObjectNode event = mapper.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", UUID.randomUUID().toString());
        event.put("source", source);
        event.put("type", e.type());
        event.put("subject", e.executionId());
        event.put("time", Instant.ofEpochMilli(timestamp).toString());
        event.put("datacontenttype", "application/json");
        event.put("tenant", tenant.id());
        event.set("data", data);
        return event;
    }

    /**
     * An event's {@code sequence} (CloudEvents extension): its number among its execution's events, as 19 digits,
     * zero-padded so that string order is number order (the outbox writes the same in SQL).
     */
    public static String sequence(long number) {
        return String.format("%019d", number);
    }

    /** Envelopes as the JSON array the outbox insert takes. */
    String batch(List<ObjectNode> events) {
        ArrayNode array = mapper.createArrayNode();
        events.forEach(array::add);
        return array.toString();
    }

    /**
     * The RabbitMQ routing key {@code <tenant>.<execution_id>.<type>}; dots inside the tenant or execution id become
     * {@code _} so that topic patterns keep working (the exact id is always in {@code subject}).
     */
    public static String routingKey(String tenant, String executionId, String type) {
        return tenant.replace('.', '_') + "." + executionId.replace('.', '_') + "." + type;
    }
}
