package io.weft.internal.loop;

import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.Op;

import java.util.concurrent.locks.LockSupport;

/**
 * The one park loop that every Weft wait goes through, for tasks and platform threads.
 */
/*
 * Overview
 *
 *   until op is done:
 *     if op is still pending (no cancel asked yet):
 *       reason = task cancelled ? CANCEL_TASK : interrupted ? CANCEL_INTERRUPT
 *              : deadline passed ? CANCEL_TIMEOUT : none
 *       if reason: op.requestCancel(reason) and keep waiting for the final completion
 *       else if a deadline and we are on our loop: arm a loop timer that cancels the op
 *     park (parkNanos to the deadline when no loop timer guards it)
 *
 * The interrupt status is consumed while waiting (else park would return at once, a
 * busy spin) and restored before returning, so java.util.concurrent waits that follow
 * still see it. A task that was cancelled stays cancelled: its next wait cancels at once.
 *
 * Rejected: throwing as soon as cancel is asked. The kernel may still own the op's
 * buffer, and a read may already have consumed bytes; waiting for the final completion
 * is what lets the caller return those bytes instead of losing them.
 */
public final class Waits {
    private Waits() {
    }

    /** No deadline. */
    public static final long NONE = Long.MAX_VALUE;

    /**
     * How long any waiter parks before it looks at its op again even without an unpark.
     * The cross-loop channel stress (ChannelStressTest) finds, within a minute on two
     * loops and on the JDK's default scheduler alike, a waiter whose op is done but which
     * was never unparked, although {@link Op#complete} always unparks after publishing
     * DONE; the cause is not found yet. The re-check turns such a loss into a delay of at
     * most this long instead of a hang. On a loop it is a loop timer (a heap insert and
     * remove per wait); elsewhere a timed park. {@code -Dweft.waits.recheckMillis=0} turns
     * it off, to hunt the loss itself; the default is 250.
     */
    static final long RECHECK_NANOS = recheckNanos();

    private static long recheckNanos() {
        long ms = Long.getLong("weft.waits.recheckMillis", 250);
        return ms <= 0 ? Long.MAX_VALUE : ms * 1_000_000L;
    }

    /**
     * Waits until {@code op} is done; cancels it if the task is cancelled, the thread is
     * interrupted, or {@code deadline} (System.nanoTime scale, or {@link #NONE}) passes.
     *
     * @param backendDeadline true if the backend enforces the deadline itself, so no timer is armed
     */
    public static void await(Op op, long deadline, boolean backendDeadline) {
        TaskContext task = TaskContext.current();
        EventLoop loop = EventLoop.current();
        boolean onLoop = loop != null && loop.inLoop();
        boolean interrupted = Thread.interrupted();
        TimerQueue.Timer timer = null;
        TimerQueue.Timer recheck = null;
        boolean timed = deadline != NONE;
        if (task != null) {
            task.activeSince = 0;
        }
        try {
            while (!op.isDone()) {
                boolean guarded = !timed || backendDeadline || timer != null;
                if (op.isPending()) {
                    int reason = 0;
                    if (task != null && task.isCancelRequested()) {
                        reason = Op.CANCEL_TASK;
                    } else if (interrupted) {
                        reason = Op.CANCEL_INTERRUPT;
                    } else if (timed && !backendDeadline && deadline - System.nanoTime() <= 0) {
                        reason = Op.CANCEL_TIMEOUT;
                    }
                    if (reason != 0) {
                        op.requestCancel(reason);
                        continue;
                    }
                    if (!guarded && onLoop && loop.inLoop()) {
                        timer = loop.cancelAt(deadline, op, Op.CANCEL_TIMEOUT);
                        guarded = true;
                    }
                }
                if (!guarded && op.isPending()) {
                    LockSupport.parkNanos(op, Math.min(deadline - System.nanoTime(), RECHECK_NANOS));
                } else if (RECHECK_NANOS != Long.MAX_VALUE && onLoop && loop.inLoop()) {
                    // a loop timer is far cheaper than a timed park of a virtual thread
                    if (recheck == null || !recheck.isScheduled()) {
                        recheck = loop.timers().schedule(loop.timers().clock().nanoTime() + RECHECK_NANOS, wakeWaiter(op));
                    }
                    LockSupport.park(op);
                } else {
                    LockSupport.parkNanos(op, RECHECK_NANOS);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        } finally {
            if (timer != null) {
                loop.cancelTimer(timer); // the task may have been stolen meanwhile
            }
            if (recheck != null && recheck.isScheduled()) {
                loop.cancelTimer(recheck);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (task != null) {
                task.activeSince = System.nanoTime();
            }
        }
    }

    /**
     * Submits {@code op} to {@code loop}'s backend and waits until it is done: the backend
     * enforces {@code deadline} itself where it can ({@code NATIVE_DEADLINES}), else a loop
     * timer or a timed park does. The caller reads the outcome from the op.
     */
    public static void submitAndAwait(EventLoop loop, IoOp op, long deadline) {
        boolean nativeDeadline = deadline != NONE && loop.nativeDeadlines();
        if (nativeDeadline) {
            op.setDeadline(deadline);
        }
        loop.submit(op);
        await(op, deadline, nativeDeadline);
    }

    /**
     * Why a wait must not start: the task is cancelled, the thread is interrupted, or the
     * deadline has passed. Returns that {@code Op.CANCEL_*} reason, or 0. I/O calls check
     * this before submitting, so a cancelled task does not start new work (which might
     * otherwise complete at once and hide the cancellation).
     */
    public static int reasonNotToStart(long deadline) {
        TaskContext task = TaskContext.current();
        if (task != null && task.isCancelRequested()) {
            return Op.CANCEL_TASK;
        }
        if (Thread.currentThread().isInterrupted()) {
            return Op.CANCEL_INTERRUPT;
        }
        if (deadline != NONE && deadline - System.nanoTime() <= 0) {
            return Op.CANCEL_TIMEOUT;
        }
        return 0;
    }

    private static Runnable wakeWaiter(Op op) {
        Thread waiter = op.waiter();
        return () -> LockSupport.unpark(waiter);
    }

    /** Waits until {@code op} is done, never cancelling it; the interrupt status is kept. */
    public static void awaitUninterruptibly(Op op) {
        boolean interrupted = false;
        while (!op.isDone()) {
            LockSupport.parkNanos(op, RECHECK_NANOS); // see RECHECK_NANOS
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A wait that only a completion or a cancel request ends; cancel completes it at once. */
    public static class Signal extends Op {
        @Override
        protected void onCancel(int reason) {
            complete(CANCELLED);
        }
    }

    /**
     * Sleeps until {@code deadline} (System.nanoTime scale).
     *
     * @return 0 if the deadline came, or the cancel reason
     */
    public static int sleepUntil(long deadline) {
        EventLoop loop = EventLoop.current();
        Signal op = new Signal();
        TimerQueue.Timer timer = null;
        if (loop == null) {
            await(op, deadline, false);
            return op.cancelReason() == Op.CANCEL_TIMEOUT ? 0 : op.cancelReason();
        }
        if (loop.inLoop()) {
            timer = loop.timers().schedule(deadline, () -> op.complete(0));
        } else {
            loop.scheduleFromAnyThread(deadline, () -> op.complete(0));
        }
        await(op, NONE, false);
        if (op.wasCancelled()) {
            if (timer != null) {
                loop.cancelTimer(timer); // the task may have been stolen meanwhile
            }
            return op.cancelReason();
        }
        return 0;
    }
}
