package dev.cafstate.checkpoint.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.caf.Checkpoint;

/**
 * A CAF document about to be stored: the exact bytes the object will hold, and their JSON tree (already checked
 * against {@code CafSchema}). Pushed documents keep the bytes the client sent; documents of the runtime are its
 * state in its member order.
 */
public record CheckpointDocument(byte[] bytes, JsonNode tree) {

    /** A pushed document: its bytes as received. */
    public static CheckpointDocument pushed(byte[] received, JsonNode tree) {
        return new CheckpointDocument(received, tree);
    }

    /** A document built from the runtime state. */
    public static CheckpointDocument of(ObjectMapper mapper, Checkpoint checkpoint) {
        JsonNode tree = mapper.valueToTree(checkpoint);
        try {
            return new CheckpointDocument(mapper.writeValueAsBytes(tree), tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize checkpoint " + checkpoint.id(), e);
        }
    }

    public String id() {
        return tree.get("id").textValue();
    }

    public String executionId() {
        return tree.get("execution_id").textValue();
    }

    public String schemaVersion() {
        return tree.get("version").textValue();
    }
}
