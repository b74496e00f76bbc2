package dev.cafstate.common.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cafstate.common.error.InvalidInput;
import dev.cafstate.common.error.JsonErrors;
import dev.cafstate.common.error.PayloadTooLarge;
import dev.cafstate.common.error.Problem;
import dev.cafstate.common.error.ValidationPaths;

/**
 * Reads request bodies that come in two shapes ("one item, or {@code {<batch>: [...]}}"), converting and validating
 * each item with field paths such as {@code steps[3].confidence} in the errors.
 */
@ApplicationScoped
public class BodyReader {

    private final ObjectMapper mapper;
    private final Validator validator;

    public BodyReader(ObjectMapper mapper, Validator validator) {
        this.mapper = mapper;
        this.validator = validator;
    }

    /** The items of a one-or-batch body; the batch member is {@code batchField}; at most {@code max} items. */
    public <T> List<T> oneOrBatch(JsonNode body, String batchField, Class<T> type, int max) {
        if (body == null || !body.isObject()) {
            throw InvalidInput.field("body", "must be a JSON object");
        }
        JsonNode batch = body.get(batchField);
        if (batch == null) {
            return List.of(read(body, type, ""));
        }
        if (!batch.isArray() || batch.isEmpty()) {
            throw InvalidInput.field(batchField, "must be a non-empty array");
        }
        if (batch.size() > max) {
            throw new PayloadTooLarge(batchField + " has " + batch.size() + " items; the limit is " + max);
        }
        List<T> items = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            items.add(read(batch.get(i), type, batchField + "[" + i + "]"));
        }
        return items;
    }

    /** One item converted and validated; errors carry {@code prefix} before the field path. */
    public <T> T read(JsonNode node, Class<T> type, String prefix) {
        T value;
        try {
            value = mapper.treeToValue(node, type);
        } catch (JsonMappingException e) {
            throw InvalidInput.field(ValidationPaths.join(prefix, JsonErrors.path(e)), JsonErrors.message(e));
        } catch (Exception e) {
            throw InvalidInput.field(prefix.isEmpty() ? "body" : prefix, "cannot be read");
        }
        if (value == null) {
            throw InvalidInput.field(prefix.isEmpty() ? "body" : prefix, "must not be null");
        }
        Set<ConstraintViolation<T>> violations = validator.validate(value);
        if (!violations.isEmpty()) {
            List<Problem.FieldError> errors = ValidationPaths.errors(violations, prefix);
            throw new InvalidInput(ValidationPaths.detail(errors), errors);
        }
        return value;
    }
}
