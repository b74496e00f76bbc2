package dev.cafstate.common.error;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;

/** Turns a bean-validation property path into the JSON path a client sent, e.g. {@code steps[2].confidence}. */
public final class ValidationPaths {

    private ValidationPaths() {}

    /** Field errors of the violations, sorted by field; each field is put after {@code prefix} (may be empty). */
    public static List<Problem.FieldError> errors(Set<? extends ConstraintViolation<?>> violations, String prefix) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : violations) {
            errors.add(new Problem.FieldError(join(prefix, field(v.getPropertyPath())), v.getMessage()));
        }
        errors.sort((a, b) -> a.field().compareTo(b.field()));
        return errors;
    }

    /** The problem detail for field errors: the one error, or how many there are. */
    public static String detail(List<Problem.FieldError> errors) {
        return errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
    }

    /** {@code prefix} and a field path joined as JSON paths are ({@code steps[1]} + {@code type}). */
    public static String join(String prefix, String field) {
        if (prefix.isEmpty() || field.equals("body")) {
            return prefix.isEmpty() ? field : prefix;
        }
        return field.isEmpty() ? prefix : prefix + (field.startsWith("[") ? "" : ".") + field;
    }

    /** True when the violation sits inside a request body (as opposed to a path or query parameter). */
    static boolean isBody(Path path) {
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PROPERTY || node.getKind() == ElementKind.CONTAINER_ELEMENT) {
                return true;
            }
        }
        return false;
    }

    static String field(Path path) {
        StringBuilder sb = new StringBuilder();
        for (Path.Node node : path) {
            ElementKind kind = node.getKind();
            if (kind == ElementKind.METHOD || kind == ElementKind.RETURN_VALUE) {
                continue;
            }
            if (kind == ElementKind.PARAMETER && isBody(path)) {
                continue;
            }
            if (node.getIndex() != null) {
                sb.append('[').append(node.getIndex()).append(']');
            }
            if (node.getName() != null && !node.getName().startsWith("<")) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(snake(node.getName()));
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }

    static String snake(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }
}
