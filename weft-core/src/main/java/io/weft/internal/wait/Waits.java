package io.weft.internal.wait;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The one park loop that every Weft wait goes through, for tasks and platform threads.
 *
 * <p>This layer sits below the event loops: it finds the caller's loop and task through
 * {@link WaitLoop} and {@link WaitTask}, which the loop layer implements and
 * {@link #install}s.
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

    // Until the loop layer installs its lookups there is no loop, hence no task either.
    private static volatile Supplier<? extends WaitLoop<?>> currentLoop = () -> null;
    private static volatile Supplier<? extends WaitTask> currentTask = () -> null;
    private static boolean installed; // guarded by Waits.class

    /**
     * Tells this layer how to find the calling thread's loop and task (each null when there
     * is none). Called by the loop layer before any loop or task exists; once.
     */
    public static synchronized void install(Supplier<? extends WaitLoop<?>> loop, Supplier<? extends WaitTask> task) {
        if (installed) {
            throw new IllegalStateException("the loop layer is already installed");
        }
        installed = true;
        currentLoop = loop;
        currentTask = task;
    }

    /**
     * Waits until {@code op} is done; cancels it if the task is cancelled, the thread is
     * interrupted, or {@code deadline} (System.nanoTime scale, or {@link #NONE}) passes.
     *
     * @param backendDeadline true if the backend enforces the deadline itself, so no timer is armed
     */
    public static void await(Op op, long deadline, boolean backendDeadline) {
        await(currentLoop.get(), op, deadline, backendDeadline);
    }

    private static <T extends WaitLoop.Timer> void await(WaitLoop<T> loop, Op op, long deadline, boolean backendDeadline) {
        WaitTask task = currentTask.get();
        boolean onLoop = loop != null && loop.inLoop();
        boolean interrupted = Thread.interrupted();
        T timer = null;
        boolean timed = deadline != NONE;
        if (task != null) {
            task.activeSince(0);
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
                if (OpTrace.ON) {
                    OpTrace.record(op, "parking", 0);
                }
                if (!guarded && op.isPending()) {
                    LockSupport.parkNanos(op, deadline - System.nanoTime());
                } else {
                    LockSupport.park(op);
                }
                if (OpTrace.ON) {
                    OpTrace.record(op, "woke, done", op.isDone() ? 1 : 0);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        } finally {
            if (timer != null) {
                loop.cancelTimer(timer); // the task may have been stolen meanwhile
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (task != null) {
                task.activeSince(System.nanoTime());
            }
        }
    }

    /**
     * Why a wait must not start: the task is cancelled, the thread is interrupted, or the
     * deadline has passed. Returns that {@code Op.CANCEL_*} reason, or 0. I/O calls check
     * this before submitting, so a cancelled task does not start new work (which might
     * otherwise complete at once and hide the cancellation).
     */
    public static int reasonNotToStart(long deadline) {
        WaitTask task = currentTask.get();
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

    /** Waits until {@code op} is done, never cancelling it; the interrupt status is kept. */
    public static void awaitUninterruptibly(Op op) {
        boolean interrupted = false;
        while (!op.isDone()) {
            LockSupport.park(op);
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
        return sleepUntil(currentLoop.get(), deadline);
    }

    private static <T extends WaitLoop.Timer> int sleepUntil(WaitLoop<T> loop, long deadline) {
        Signal op = new Signal();
        T timer = null;
        if (loop == null) {
            await(op, deadline, false);
            return op.cancelReason() == Op.CANCEL_TIMEOUT ? 0 : op.cancelReason();
        }
        if (loop.inLoop()) {
            timer = loop.timerAt(deadline, () -> op.complete(0));
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
