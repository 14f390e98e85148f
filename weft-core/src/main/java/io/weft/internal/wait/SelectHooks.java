package io.weft.internal.wait;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * How {@code io.weft.sync.Select} waits for things that are not channels: a task's end, a
 * socket becoming readable or writable. The public type ({@code io.weft.Task},
 * {@code io.weft.net.SocketStream}) installs its hook from its static initializer, so whoever
 * holds an instance finds it installed (the JDK's SharedSecrets pattern). The select then
 * needs neither a public method on that type nor the loop or backend behind it.
 */
public final class SelectHooks {
    private SelectHooks() {
    }

    /** What a case waits for. */
    public enum Event {
        /** A task has ended, in any way. */
        DONE,
        /** A read from a stream would not wait. */
        READABLE,
        /** A write to a stream would not wait. */
        WRITABLE
    }

    /** One case's wait on one object, for one {@link Event}. */
    public interface Source {
        /**
         * Starts waiting: when the event happens, completes {@code sel} with result
         * {@code index} and no attachment. May complete {@code sel} at once.
         *
         * @return what {@link #withdraw} needs, or null if nothing was left armed
         */
        Op arm(Op sel, int index);

        /** Takes back what {@link #arm} returned, without waiting for it to end. */
        void withdraw(Op armed);
    }

    /**
     * An op that fires a select's case when it completes: put among the waiters of
     * something that completes plain ops (a task's joiners), it forwards that completion
     * to the selector.
     */
    public static final class Forward extends Waits.Signal {
        private final Op sel;
        private final int index;

        public Forward(Op sel, int index) {
            this.sel = sel;
            this.index = index;
        }

        @Override
        protected void onDone() {
            sel.complete(index, null);
        }
    }

    private static final Map<Class<?>, BiFunction<Object, Event, ? extends Source>> BY_CLASS = new ConcurrentHashMap<>();

    /** Installs how a select waits for a {@code type} instance (and its subclasses'); once per class. */
    public static <T> void install(Class<T> type, BiFunction<? super T, Event, ? extends Source> sourceOf) {
        BiFunction<Object, Event, ? extends Source> f = (o, event) -> sourceOf.apply(type.cast(o), event);
        if (BY_CLASS.putIfAbsent(type, f) != null) {
            throw new IllegalStateException(type.getName() + " already has a select hook");
        }
    }

    /**
     * The wait for {@code event} on {@code target}; nothing is armed yet.
     *
     * @throws IllegalArgumentException no hook is installed for {@code target}'s class
     */
    public static Source of(Object target, Event event) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            BiFunction<Object, Event, ? extends Source> f = BY_CLASS.get(c);
            if (f != null) {
                return f.apply(target, event);
            }
        }
        throw new IllegalArgumentException("a select cannot wait for a " + target.getClass().getName());
    }
}
