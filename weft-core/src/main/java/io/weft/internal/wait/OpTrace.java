package io.weft.internal.wait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A debugging record of what happened to ops, in order: who built each, who asked to
 * cancel it, who completed it and in what state the waiting thread was before and after
 * the unpark, and each park and wake of the waiter. Off unless
 * {@code -Dweft.debug.opTrace=true}; callers test {@link #ON} first, so with the property
 * unset the calls fold away. When on, the last {@link #CAPACITY} events of all ops are
 * kept in one ring (an atomic increment and a store each), and {@link #of} picks out one
 * op's events: enough to explain a hang found by a stress test.
 */
public final class OpTrace {
    private OpTrace() {
    }

    /** True if ops are traced ({@code -Dweft.debug.opTrace=true}). */
    public static final boolean ON = Boolean.getBoolean("weft.debug.opTrace");

    /** How many events the ring keeps (a power of two). */
    static final int CAPACITY = 1 << 20;

    private record Event(Op op, long nanos, Thread thread, String what, long value) {
    }

    private static final Event[] RING = ON ? new Event[CAPACITY] : null;
    private static final AtomicLong NEXT = new AtomicLong();
    /** A virtual thread's internal state word and park permit, where java.lang is open to us; else null. Loaded on first use. */
    private static final class VThreadFields {
        static final VarHandle STATE = field("state", int.class);
        static final VarHandle PARK_PERMIT = field("parkPermit", boolean.class);

        private static VarHandle field(String name, Class<?> type) {
            try {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                return MethodHandles.privateLookupIn(vt, MethodHandles.lookup()).findVarHandle(vt, name, type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }

    /** Records {@code what} (a constant string) happening to {@code op} now, on the calling thread, with a value. */
    public static void record(Op op, String what, long value) {
        long i = NEXT.getAndIncrement();
        RING[(int) (i & (CAPACITY - 1))] = new Event(op, System.nanoTime(), Thread.currentThread(), what, value);
    }

    /**
     * A virtual thread's JDK state word times ten plus 1 if its park permit is set, for a
     * trace event; -1 for a platform thread or where java.lang is not open to us.
     */
    public static long vstate(Thread t) {
        if (!t.isVirtual() || VThreadFields.STATE == null || VThreadFields.PARK_PERMIT == null) {
            return -1;
        }
        return (int) VThreadFields.STATE.getVolatile(t) * 10L + ((boolean) VThreadFields.PARK_PERMIT.getVolatile(t) ? 1 : 0);
    }

    /**
     * The thread's state; for a virtual thread also the JDK's internal state word and park
     * permit, which tell a thread never unparked (parked, no permit) from one whose unpark
     * raced its park (parked with the permit) or one queued but never run (unparked).
     */
    public static String stateOf(Thread t) {
        if (t.isVirtual() && VThreadFields.STATE != null && VThreadFields.PARK_PERMIT != null) {
            return t.getState() + " (VirtualThread.state " + (int) VThreadFields.STATE.getVolatile(t)
                    + ", parkPermit " + (boolean) VThreadFields.PARK_PERMIT.getVolatile(t) + ")";
        }
        return t.getState().toString();
    }

    /** {@code op}'s events still in the ring, oldest first, one a line; or why there are none. */
    public static String of(Object op) {
        if (!(op instanceof Op o)) {
            return "not an op: " + op;
        }
        if (!ON) {
            return o + " done=" + o.isDone() + " (no trace: run with -Dweft.debug.opTrace=true)";
        }
        List<Event> events = new ArrayList<>();
        for (Event e : RING) {
            if (e != null && e.op == o) {
                events.add(e);
            }
        }
        events.sort(Comparator.comparingLong(Event::nanos));
        StringBuilder b = new StringBuilder(o.toString()).append(" done=").append(o.isDone())
                .append(", waiter now ").append(stateOf(o.waiter()));
        for (Event e : events) {
            b.append("\n        ").append(e.nanos).append(' ').append(e.thread).append(": ").append(e.what)
                    .append(' ').append(e.value);
        }
        return b.toString();
    }
}
