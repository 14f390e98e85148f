package io.weft.bench;

import java.util.Arrays;
import java.util.List;

/** Contenders are enums named on the command line and in results by {@link Named#id()}. */
public final class ContenderIds {
    private ContenderIds() {
    }

    /** An enum constant with a command-line name. */
    public interface Named {
        String id();
    }

    /** The constant of {@code type} called {@code id}. @throws IllegalArgumentException naming the known ones */
    public static <E extends Enum<E> & Named> E byId(Class<E> type, String id) {
        for (E c : type.getEnumConstants()) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown contender '" + id + "' (known: " + String.join(", ", ids(type)) + ")");
    }

    /**
     * The contenders {@code --contenders a,b,c} names, in that order; all of {@code type} if
     * it is not given. @throws IllegalArgumentException for an unknown name or one named twice
     */
    public static <E extends Enum<E> & Named> List<E> fromOption(Options o, Class<E> type) {
        List<E> contenders = o.list("contenders", ids(type)).stream().map(id -> byId(type, id)).toList();
        if (contenders.stream().distinct().count() != contenders.size()) {
            throw new IllegalArgumentException("--contenders names one contender twice");
        }
        return contenders;
    }

    /** Every id of {@code type}, in declaration order. */
    public static <E extends Enum<E> & Named> List<String> ids(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Named::id).toList();
    }
}
