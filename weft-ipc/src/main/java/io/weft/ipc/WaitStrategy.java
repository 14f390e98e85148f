package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Task;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How one side of a ring waits for the other: for records ({@link ShmRing#awaitRecords})
 * or for space ({@link ShmRing#claim}). Each side picks its own.
 *
 * <ul>
 *   <li>{@link #busySpin()}: lowest latency, burns a core;
 *   <li>{@link #yielding()}: spins with {@code Thread.yield()} between looks;
 *   <li>{@link #backoff()}: spins, then yields, then parks for growing spells (up to 1 ms);
 *   <li>{@link #notifying()}: sleeps on a doorbell in the shared header that the other
 *       side rings only when this side said it sleeps: in a Weft task, a loop operation
 *       that parks the task only; elsewhere futex(2), which blocks the calling thread;
 *   <li>{@link #hybrid(Duration)}: polls for a bounded time, then sleeps as
 *       {@link #notifying()} does. While the other side keeps it busy it answers as fast as
 *       a spin; once idle it costs nothing. On a thread it polls with
 *       {@link Thread#onSpinWait()}; in a task it yields to the loop's other tasks between
 *       polls, so they keep running while it waits.
 * </ul>
 *
 * <p>The first three keep their thread busy, so they must run on a dedicated thread: they
 * refuse, with an {@link IllegalStateException}, to run inside a Weft task, whose loop is
 * shared with other tasks. Use {@link #notifying()} or {@link #hybrid(Duration)} there.
 */
/*
 * Overview
 *
 * await(ready, bell, deadline) returns true once ready says so, false once the deadline
 * passed. The spinning kinds look at the clock every 64 rounds only (nanoTime costs
 * about as much as a look at the ring). The notifying kind follows Doorbell's protocol;
 * its sleeps last at most 100 ms so that a thread's interrupt is seen.
 *
 * The hybrid kind polls until its spin time is used up (or the deadline passes), then
 * hands over to the notifying kind. It never arms the doorbell while it polls: the other
 * side's ring() then finds the state AWAKE and makes no syscall. The hand-over runs
 * Doorbell's full protocol (arm, re-check, sleep), so a record published at any moment,
 * during the polls or between the last poll and the arm, is found by the re-check or wakes
 * the sleep: no wake-up is lost. In a task each poll is followed by Thread.yield(), which
 * puts the task at the back of its loop's run queue: the loop's other tasks run between
 * polls, and the wait holds its loop for no more than the spin time even when nothing else
 * is runnable. The clock is read after every yield there (a yield costs far more than
 * nanoTime), every 64 polls on a thread.
 *
 * Rejected: spinning in a task without yielding (a bounded hog is still a hog: every
 * other task of the loop waits the whole spin time), and an adaptive spin time (the
 * caller knows its peer's rhythm; a fixed, named bound keeps the cost predictable).
 *
 * Rejected: letting busy-spin run in a task "because the user asked". One spinning task
 * starves every other task on its loop, including the ones that would produce what it
 * waits for when both sides live in one process.
 */
public abstract sealed class WaitStrategy permits WaitStrategy.Spin, WaitStrategy.Notifying, WaitStrategy.Hybrid {

    private static final long MAX_SLEEP_NANOS = 100_000_000L;

    WaitStrategy() {
    }

    /** Spins with {@link Thread#onSpinWait()}. Dedicated threads only. */
    public static WaitStrategy busySpin() {
        return new Spin("busy-spin", Integer.MAX_VALUE, 0, 0);
    }

    /** Spins with {@link Thread#yield()}. Dedicated threads only. */
    public static WaitStrategy yielding() {
        return new Spin("yield", 0, Integer.MAX_VALUE, 0);
    }

    /** 100 spins, then 100 yields, then parks from 1 µs doubling up to 1 ms. Dedicated threads only. */
    public static WaitStrategy backoff() {
        return backoff(100, 100, Duration.ofMillis(1));
    }

    /** Spins {@code spins} times, yields {@code yields} times, then parks up to {@code maxPark} at a time. */
    public static WaitStrategy backoff(int spins, int yields, Duration maxPark) {
        if (spins < 0 || yields < 0 || maxPark.isNegative() || maxPark.isZero()) {
            throw new IllegalArgumentException("backoff needs spins >= 0, yields >= 0, maxPark > 0");
        }
        return new Spin("backoff", spins, yields, Math.max(1000, maxPark.toNanos()));
    }

    /** Sleeps on the ring's doorbell until the other side rings it. Threads and tasks. */
    public static WaitStrategy notifying() {
        return Notifying.INSTANCE;
    }

    /**
     * How long {@link #hybrid()} polls before it sleeps: long enough to span a round trip
     * to a busy peer on a loaded machine (a poll in a task, through a yield, takes about
     * 0.3 to 0.5 µs), short enough that an idle side soon stops burning its core.
     */
    public static final Duration DEFAULT_HYBRID_SPIN = Duration.ofNanos(50_000);

    /** The longest spin {@link #hybrid(Duration)} accepts. */
    public static final Duration MAX_HYBRID_SPIN = Duration.ofMillis(10);

    /** {@link #hybrid(Duration)} with {@link #DEFAULT_HYBRID_SPIN} (50 µs). Threads and tasks. */
    public static WaitStrategy hybrid() {
        return Hybrid.DEFAULT;
    }

    /**
     * Polls the ring for up to {@code spin}, then sleeps on its doorbell as
     * {@link #notifying()} does. Threads and tasks: in a task it yields to the loop's other
     * tasks between polls. A spin of zero is {@link #notifying()} under another name.
     *
     * @throws IllegalArgumentException unless 0 ≤ spin ≤ {@link #MAX_HYBRID_SPIN}
     */
    public static WaitStrategy hybrid(Duration spin) {
        if (spin.isNegative() || spin.compareTo(MAX_HYBRID_SPIN) > 0) {
            throw new IllegalArgumentException("hybrid needs a spin of 0 to " + MAX_HYBRID_SPIN.toMillis() + " ms: " + spin);
        }
        return spin.equals(DEFAULT_HYBRID_SPIN) ? Hybrid.DEFAULT : new Hybrid(spin.toNanos());
    }

    /**
     * The strategy a command line names: {@code busy-spin}, {@code yield}, {@code backoff},
     * {@code notify} or {@code hybrid} (with default settings), or {@code hybrid:SPIN} with
     * the spin time as a number and a unit: {@code ns}, {@code us} (or {@code µs}) or
     * {@code ms}, such as {@code hybrid:50us}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static WaitStrategy of(String name) {
        if (name.startsWith("hybrid:")) {
            return hybrid(parseSpin(name.substring("hybrid:".length())));
        }
        return switch (name) {
            case "busy-spin" -> busySpin();
            case "yield" -> yielding();
            case "backoff" -> backoff();
            case "notify" -> notifying();
            case "hybrid" -> hybrid();
            default -> throw new IllegalArgumentException("no wait strategy '" + name
                    + "'; one of busy-spin, yield, backoff, notify, hybrid, hybrid:SPIN (such as hybrid:50us)");
        };
    }

    private static Duration parseSpin(String spin) {
        long unit;
        String digits;
        if (spin.endsWith("ns")) {
            unit = 1;
            digits = spin.substring(0, spin.length() - 2);
        } else if (spin.endsWith("us") || spin.endsWith("µs")) {
            unit = 1_000;
            digits = spin.substring(0, spin.length() - 2);
        } else if (spin.endsWith("ms")) {
            unit = 1_000_000;
            digits = spin.substring(0, spin.length() - 2);
        } else {
            throw new IllegalArgumentException("hybrid spin '" + spin + "' needs a unit: ns, us or ms (such as hybrid:50us)");
        }
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hybrid spin '" + spin + "' is not a whole number and a unit (such as hybrid:50us)");
        }
        if (n < 0 || n > MAX_HYBRID_SPIN.toNanos() / unit) {
            throw new IllegalArgumentException("hybrid needs a spin of 0 to " + MAX_HYBRID_SPIN.toMillis() + " ms: " + spin);
        }
        return Duration.ofNanos(n * unit);
    }

    /**
     * The strategy's name as the command line spells it: busy-spin, yield, backoff, notify,
     * hybrid, or hybrid:SPIN for a hybrid with another spin time.
     */
    public abstract String name();

    /** True if the strategy may wait inside a Weft task: notify and hybrid. */
    public abstract boolean runsInTasks();

    @Override
    public String toString() {
        return name();
    }

    /** Waits until {@code ready} or the deadline; true if ready. */
    abstract boolean await(BooleanSupplier ready, Doorbell bell, Deadline deadline) throws IOException;

    static final class Spin extends WaitStrategy {
        private final String name;
        private final int spins;
        private final int yields;
        private final long maxParkNanos;

        Spin(String name, int spins, int yields, long maxParkNanos) {
            this.name = name;
            this.spins = spins;
            this.yields = yields;
            this.maxParkNanos = maxParkNanos;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean runsInTasks() {
            return false;
        }

        @Override
        boolean await(BooleanSupplier ready, Doorbell bell, Deadline deadline) {
            if (Task.current() != null) {
                throw new IllegalStateException("the " + name + " wait strategy keeps its thread busy and was called from a Weft task, "
                        + "whose loop it would take from every other task: run it on a dedicated thread, or use WaitStrategy.notifying() or WaitStrategy.hybrid(spin)");
            }
            long round = 0;
            long park = 1000;
            while (true) {
                if (ready.getAsBoolean()) {
                    return true;
                }
                if ((round & 63) == 63 && deadline.hasPassed()) {
                    return false;
                }
                if (round < spins) {
                    Thread.onSpinWait();
                } else if (round - spins < yields) {
                    Thread.yield();
                } else {
                    if (deadline.hasPassed()) {
                        return false;
                    }
                    LockSupport.parkNanos(park);
                    park = Math.min(park * 2, maxParkNanos);
                    if (Thread.interrupted()) {
                        throw new CancellationException("interrupted while waiting on a ring");
                    }
                }
                round++;
            }
        }
    }

    static final class Notifying extends WaitStrategy {
        static final Notifying INSTANCE = new Notifying();

        @Override
        public String name() {
            return "notify";
        }

        @Override
        public boolean runsInTasks() {
            return true;
        }

        @Override
        boolean await(BooleanSupplier ready, Doorbell bell, Deadline deadline) throws IOException {
            if (Task.current() != null) {
                return TaskDoorbellWait.await(ready, bell, deadline);
            }
            while (true) {
                long seq = bell.arm(Doorbell.SLEEPING_FUTEX, ready);
                if (seq == Doorbell.READY) {
                    return true;
                }
                long left = deadline.isNone() ? MAX_SLEEP_NANOS : deadline.nanoTime() - System.nanoTime();
                if (left <= 0) {
                    bell.awake(Doorbell.SLEEPING_FUTEX);
                    return false;
                }
                Doorbell.futexSleep(bell, (int) seq, Math.min(left, MAX_SLEEP_NANOS));
                bell.awake(Doorbell.SLEEPING_FUTEX);
                if (Thread.interrupted()) {
                    throw new CancellationException("interrupted while waiting on a ring");
                }
            }
        }
    }

    static final class Hybrid extends WaitStrategy {
        static final Hybrid DEFAULT = new Hybrid(DEFAULT_HYBRID_SPIN.toNanos());

        private final long spinNanos;

        Hybrid(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        @Override
        public String name() {
            return spinNanos == DEFAULT_HYBRID_SPIN.toNanos() ? "hybrid"
                    : spinNanos % 1_000_000 == 0 ? "hybrid:" + spinNanos / 1_000_000 + "ms"
                    : spinNanos % 1_000 == 0 ? "hybrid:" + spinNanos / 1_000 + "us"
                    : "hybrid:" + spinNanos + "ns";
        }

        @Override
        public boolean runsInTasks() {
            return true;
        }

        /** The spin time, in nanoseconds. */
        long spinNanos() {
            return spinNanos;
        }

        @Override
        boolean await(BooleanSupplier ready, Doorbell bell, Deadline deadline) throws IOException {
            if (spinNanos > 0) {
                Task<?> task = Task.current();
                long end = System.nanoTime() + spinNanos;
                for (long round = 0; ; round++) {
                    if (ready.getAsBoolean()) {
                        return true;
                    }
                    if (task != null || (round & 63) == 63) {
                        if (System.nanoTime() - end >= 0) {
                            break;
                        }
                        if (deadline.hasPassed()) {
                            return false;
                        }
                    }
                    if (task != null) {
                        Thread.yield(); // the loop's other tasks run; this one comes back after them
                        if (task.isCancelRequested()) {
                            throw new CancellationException("cancelled while waiting on a ring");
                        }
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
            return Notifying.INSTANCE.await(ready, bell, deadline);
        }
    }
}
