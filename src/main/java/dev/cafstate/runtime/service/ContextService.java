package dev.cafstate.runtime.service;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cafstate.caf.CafSchema;
import dev.cafstate.caf.Context;
import dev.cafstate.caf.MemoryEntry;
import dev.cafstate.caf.Message;
import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.http.Ids;
import dev.cafstate.common.http.IfMatch;
import dev.cafstate.common.json.Json;
import dev.cafstate.common.json.JsonBodies;
import dev.cafstate.common.json.JsonChecks;
import dev.cafstate.common.security.Tenant;
import dev.cafstate.common.time.Clock;
import dev.cafstate.events.CafEvent;
import dev.cafstate.events.EventRecorder;
import dev.cafstate.runtime.api.MemoryWrite;
import dev.cafstate.runtime.api.Versioned;
import dev.cafstate.runtime.repository.ContextRepository;
import dev.cafstate.runtime.repository.StateReader;
import io.smallrye.mutiny.Uni;

/**
 * Use cases of the context: append messages, merge-patch variables, put/remove memory entries. Each emits one
 * {@code context.updated} whose {@code changes} say what changed.
 */
@ApplicationScoped
public class ContextService {

    private final ContextRepository context;
    private final StateReader reader;
    private final JsonBodies bodies;
    private final EventRecorder events;
    private final Json json;
    private final CafConfig config;
    private final Clock clock;

    public ContextService(
            ContextRepository context,
            StateReader reader,
            JsonBodies bodies,
            EventRecorder events,
            Json json,
            CafConfig config,
            Clock clock) {
        this.context = context;
        this.reader = reader;
        this.bodies = bodies;
        this.events = events;
        this.json = json;
        this.config = config;
        this.clock = clock;
    }

    /** The context of the execution, consistently read. */
    public Uni<Versioned<Context>> get(Tenant tenant, String executionId) {
        return reader.context(tenant, executionId);
    }

    /** Appends one message or a batch ({@code {messages: [...]}}); timestamps default to now. */
    public Uni<Versioned<List<Message>>> appendMessages(
            Tenant tenant, String executionId, IfMatch expected, JsonNode body) {
        List<JsonBodies.Item> items =
                bodies.oneOrBatch(body, "messages", config.limits().maxBatchItems());
        JsonChecks c = bodies.checks();
        for (JsonBodies.Item item : items) {
            CafSchema.message(c, item.node(), item.path());
        }
        c.throwIfAny();
        List<Message> input =
                items.stream().map(i -> bodies.map(i.node(), Message.class)).toList();
        long now = clock.now();
        List<Message> messages = new ArrayList<>(input.size());
        for (Message m : input) {
            messages.add(
                    m.timestamp() != null
                            ? m
                            : new Message(m.role(), m.content(), m.toolCalls(), m.toolResults(), now));
        }
        ObjectNode changes = json.mapper().createObjectNode();
        changes.set("messages_added", json.mapper().valueToTree(messages));
        return context.appendMessages(
                        tenant, executionId, expected, now, messages, event(tenant, executionId, now, changes))
                .map(v -> new Versioned<>(messages, v));
    }

    /** Applies an RFC 7396 merge patch to the variables ({@code null} removes a key). */
    public Uni<Long> patchVariables(Tenant tenant, String executionId, IfMatch expected, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw InvalidInput.field("body", "must be a JSON object (an RFC 7396 merge patch)");
        }
        long now = clock.now();
        ObjectNode changes = json.mapper().createObjectNode();
        changes.set("variables", patch);
        return context.patchVariables(
                tenant, executionId, expected, now, patch.toString(), event(tenant, executionId, now, changes));
    }

    /** Inserts or replaces the memory entry under {@code key}. */
    public Uni<Versioned<MemoryEntry>> putMemory(
            Tenant tenant, String executionId, String key, IfMatch expected, JsonNode body) {
        Ids.memoryKey(key, config.limits().maxMemoryKeyBytes());
        MemoryWrite write = MemoryWrite.from(body, bodies);
        long now = clock.now();
        MemoryEntry entry = new MemoryEntry(
                key, write.value(), write.importance(), write.timestamp() == null ? now : write.timestamp());
        ObjectNode changes = json.mapper().createObjectNode();
        changes.set("memory_put", json.mapper().valueToTree(entry));
        return context.putMemory(tenant, executionId, expected, now, entry, event(tenant, executionId, now, changes))
                .map(v -> new Versioned<>(entry, v));
    }

    /** Removes the memory entry under {@code key}; 404 when there is none. */
    public Uni<Long> deleteMemory(Tenant tenant, String executionId, String key, IfMatch expected) {
        Ids.memoryKey(key, config.limits().maxMemoryKeyBytes());
        long now = clock.now();
        ObjectNode changes = json.mapper().createObjectNode();
        changes.put("memory_removed", key);
        return context.deleteMemory(tenant, executionId, expected, now, key, event(tenant, executionId, now, changes));
    }

    private String event(Tenant tenant, String executionId, long now, ObjectNode changes) {
        return events.json(tenant, now, new CafEvent.ContextUpdated(executionId, changes));
    }
}
