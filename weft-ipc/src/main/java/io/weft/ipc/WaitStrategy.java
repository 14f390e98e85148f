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
 *       that parks the task only; elsewhere futex(2), which blocks the calling thread.
 * </ul>
 *
 * <p>The first three keep their thread busy, so they must run on a dedicated thread: they
 * refuse, with an {@link IllegalStateException}, to run inside a Weft task, whose loop is
 * shared with other tasks. Use {@link #notifying()} there.
 */
/*
 * Overview
 *
 * await(ready, bell, deadline) returns true once ready says so, false once the deadline
 * passed. The spinning kinds look at the clock every 64 rounds only (nanoTime costs
 * about as much as a look at the ring). The notifying kind follows Doorbell's protocol;
 * its sleeps last at most 100 ms so that a thread's interrupt is seen.
 *
 * Rejected: letting busy-spin run in a task "because the user asked". One spinning task
 * starves every other task on its loop, including the ones that would produce what it
 * waits for when both sides live in one process.
 */
public abstract sealed class WaitStrategy permits WaitStrategy.Spin, WaitStrategy.Notifying {

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
     * The strategy a command line names: {@code busy-spin}, {@code yield}, {@code backoff}
     * or {@code notify} (with default settings).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static WaitStrategy of(String name) {
        return switch (name) {
            case "busy-spin" -> busySpin();
            case "yield" -> yielding();
            case "backoff" -> backoff();
            case "notify" -> notifying();
            default -> throw new IllegalArgumentException("no wait strategy '" + name + "'; one of busy-spin, yield, backoff, notify");
        };
    }

    /** The strategy's name as the command line spells it: busy-spin, yield, backoff, notify. */
    public abstract String name();

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
        boolean await(BooleanSupplier ready, Doorbell bell, Deadline deadline) {
            if (Task.current() != null) {
                throw new IllegalStateException("the " + name + " wait strategy keeps its thread busy and was called from a Weft task, "
                        + "whose loop it would take from every other task: run it on a dedicated thread, or use WaitStrategy.notifying()");
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
}
