package dev.cafstate.caf;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** CAF enums travel as their lower-case names; an unknown value is refused with the list of known ones. */
public interface WireEnum {

    String name();

    /** The value on the wire. */
    default String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E> & WireEnum> E parse(Class<E> type, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.wire().equals(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("must be one of "
                + Arrays.stream(type.getEnumConstants()).map(WireEnum::wire).collect(Collectors.joining(", ")));
    }
}
