package io.weft.internal.backend;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Lets other packages of this module reach the {@link SocketHandle} behind a public stream type
 * ({@code io.weft.sync.Select} does, to wait for a socket's readiness) without making the
 * handle part of the stream's public API (the JDK's SharedSecrets pattern). Each stream
 * class registers itself from its static initializer, so whoever holds an instance finds
 * its class registered.
 */
public final class StreamHandles {
    private StreamHandles() {
    }

    private static final Map<Class<?>, Function<Object, ? extends SocketHandle>> BY_CLASS = new ConcurrentHashMap<>();

    /** Registers how to find the handle of a {@code type} instance (and of its subclasses'); once per class. */
    public static <S> void register(Class<S> type, Function<? super S, ? extends SocketHandle> handleOf) {
        Function<Object, ? extends SocketHandle> f = o -> handleOf.apply(type.cast(o));
        if (BY_CLASS.putIfAbsent(type, f) != null) {
            throw new IllegalStateException(type.getName() + " is already registered");
        }
    }

    /**
     * The handle behind {@code stream}.
     *
     * @throws IllegalArgumentException {@code stream} is not a registered stream type
     */
    public static SocketHandle of(Object stream) {
        for (Class<?> c = stream.getClass(); c != null; c = c.getSuperclass()) {
            Function<Object, ? extends SocketHandle> f = BY_CLASS.get(c);
            if (f != null) {
                return f.apply(stream);
            }
        }
        throw new IllegalArgumentException("not a Weft socket stream: " + stream.getClass().getName());
    }
}
