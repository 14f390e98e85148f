package io.weft.internal.wait;

/**
 * An event loop as {@link Waits} sees it: a place to arm the timers that end or re-check a
 * wait. Implemented by {@code io.weft.internal.loop.EventLoop}, which this package may not
 * import.
 *
 * @param <T> the loop's timer handle
 */
public interface WaitLoop<T extends WaitLoop.Timer> {

    /** A timer armed on a loop's queue. */
    interface Timer {
        /** True while scheduled (neither fired nor cancelled); loop thread only. */
        boolean isScheduled();
    }

    /** True on the loop thread, and on a task mounted on it. */
    boolean inLoop();

    /** The loop clock's current time, the scale of its timers' deadlines; loop thread only. */
    long nanoTime();

    /** Runs {@code action} on the loop at {@code deadline}; loop thread only. */
    T timerAt(long deadline, Runnable action);

    /** Cancels {@code op} with {@code reason} at {@code deadline}; loop thread only. Returns the timer. */
    T cancelAt(long deadline, Op op, int reason);

    /** Runs {@code action} on the loop at {@code deadline}; any thread. */
    void scheduleFromAnyThread(long deadline, Runnable action);

    /**
     * Cancels {@code timer}, which the caller armed on this loop's queue, even from a task
     * that has since moved to another loop. Any thread.
     */
    void cancelTimer(T timer);
}
