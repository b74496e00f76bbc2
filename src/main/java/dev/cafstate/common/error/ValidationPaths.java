package dev.cafstate.common.error;

import jakarta.validation.ElementKind;
import jakarta.validation.Path;

/** Turns a bean-validation property path into the JSON path a client sent, e.g. {@code steps[2].confidence}. */
final class ValidationPaths {

    private ValidationPaths() {
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
