package dev.cafstate.common.db;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Values of a {@link Statement}'s named parameters (nulls allowed: SQL NULL). */
public final class Params {

    private final Map<String, Object> values = new LinkedHashMap<>();

    private Params() {}

    public static Params of() {
        return new Params();
    }

    /** Sets a parameter; setting one twice is a programming error. */
    public Params put(String name, Object value) {
        if (values.containsKey(name)) {
            throw new IllegalArgumentException("parameter '" + name + "' given twice");
        }
        values.put(name, value);
        return this;
    }

    public Object get(String name) {
        return values.get(name);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Set<String> names() {
        return values.keySet();
    }
}
