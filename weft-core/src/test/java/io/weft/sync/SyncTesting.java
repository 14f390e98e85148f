package io.weft.sync;

import io.weft.Task;
import io.weft.ThrowingRunnable;
import io.weft.TestSupport;
import io.weft.Weft;
import io.weft.internal.wait.Waits;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

import static io.weft.TestSupport.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Helpers for the io.weft.sync tests; call from inside a Weft task. */
final class SyncTesting {
    private SyncTesting() {
    }

    /** Bounded wait for the tests' joins: generous, since the machine is shared. */
    static final Duration LONG = Duration.ofSeconds(20);

    /**
     * Spawns {@code body}, waits until it parks, cancels it, and checks that its wait ended
     * with {@link CancellationException} and the task as CANCELLED.
     */
    static void cancelWhileParked(ThrowingRunnable body) {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<Void> t = Weft.spawn(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                seen.set(e);
                throw e;
            }
        });
        awaitParked(t.thread());
        t.cancel();
        assertThrows(CancellationException.class, () -> t.join(LONG));
        assertEquals(Task.State.CANCELLED, t.state());
        assertInstanceOf(CancellationException.class, seen.get(), "the parked wait threw CancellationException");
    }

    /**
     * Waits (bounded) until {@code t} is parked in a Weft wait of {@code primitive} (a
     * class of this package): its state is WAITING or TIMED_WAITING and its stack has
     * one of the park loops of {@link Waits} below a method of that class. A thread that is only passing through
     * an internal lock, or has finished, does not count.
     */
    static void awaitParkedIn(Class<?> primitive, Thread t) {
        TestSupport.eventually(t + " is parked in " + primitive.getSimpleName(), LONG, () -> {
            Thread.State s = t.getState();
            if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
                return false;
            }
            boolean inWait = false;
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().equals(Waits.class.getName()) && f.getMethodName().startsWith("await")) {
                    inWait = true;
                } else if (inWait && f.getClassName().equals(primitive.getName())) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Each task's state, its thread's state and the top of its stack: for a report of a hang. */
    static String describe(java.util.List<? extends Task<?>> tasks) {
        StringBuilder b = new StringBuilder();
        for (Task<?> t : tasks) {
            b.append("\n  ").append(t.name()).append(" on loop ").append(t.loopIndex()).append(' ')
                    .append(t.state()).append(", thread ").append(t.thread().getState());
            StackTraceElement[] stack = t.thread().getStackTrace();
            for (int f = 0; f < Math.min(14, stack.length); f++) {
                b.append("\n      at ").append(stack[f]);
            }
        }
        return b.toString();
    }

    /**
     * Tells a lost wake-up from a wait that nobody completed: unparks every party still
     * running, once. A wait re-checks its op when woken, so a party that then finishes
     * had its op completed without being woken; one that parks again is still owed.
     */
    static String unparkAndRetry(java.util.List<? extends Task<?>> parties) {
        for (Task<?> t : parties) {
            java.util.concurrent.locks.LockSupport.unpark(t.thread());
        }
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Task<?> t : parties) {
            try {
                t.join(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
            } catch (io.weft.DeadlineExceededException still) {
                return "after one more unpark " + t.name() + " is still waiting: its wait was not completed";
            } catch (RuntimeException other) { // the task failed: not a wait problem
                return "after one more unpark " + t.name() + " ended with " + other;
            }
        }
        return "after one more unpark every party finished: a completed wait had not been woken (a lost unpark)";
    }

    /** Spawns {@code body} and waits until it is parked. */
    static <T> Task<T> spawnParked(java.util.concurrent.Callable<T> body) {
        Task<T> t = Weft.spawn(body);
        awaitParked(t.thread());
        return t;
    }
}
