package io.weft.sync;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The park step shared by every primitive in this package, and the mapping from an op's
 * cancel reason to the exception the caller sees.
 *
 * <p>Every blocking method here has the same shape:
 * <pre>
 *   checkStart(what)                  cancelled task or interrupted thread: throw, start nothing
 *   lock; try to finish now; else enqueue a Waiter on a fresh op; unlock
 *   await(op, deadline)               the one park loop (Waits): task cancel, interrupt, deadline
 *   if the op was cancelled: lock; withdraw the waiter (and pass on what it was owed); unlock; throw
 * </pre>
 * A waiter's op is a {@link Waits.Signal}: cancelling it completes it at once, on the
 * cancelling thread, without taking any lock (that thread may be an event loop, which must
 * never block on a lock a task holds). Whoever hands something over completes the op under
 * the structure's lock; of the two completions exactly one wins the op's CAS. So either the
 * waiter got the value or permit and keeps it, or it was cancelled and nothing was handed
 * over: nothing is lost or given twice. The withdrawal after a cancel only unlinks a node
 * that no one can claim any more.
 */
final class Parking {
    private Parking() {
    }

    /** Throws if the calling task is cancelled or the thread interrupted; a wait must not start. */
    static void checkStart(String what) {
        int reason = Waits.reasonNotToStart(Waits.NONE);
        if (reason != 0) {
            throw cancelled(reason, what);
        }
    }

    /** Parks until {@code op} is done or cancelled; true if it completed, false if cancelled. */
    static boolean await(Op op, Deadline deadline) {
        Waits.await(op, deadline.nanoTime(), false);
        return !op.wasCancelled();
    }

    /** The exception for a wait that ended by cancellation with {@code reason}; see {@link Failures}. */
    static RuntimeException cancelled(int reason, String what) {
        return Failures.cancelled(reason, what);
    }

    /**
     * The whole wait for the simple primitives: under {@code lock}, returns at once if
     * {@code readyLocked} says so (it may consume what it found); otherwise queues a waiter
     * in {@code queue}, parks, and withdraws it if cancelled.
     *
     * @return the attachment the waiter was fired with, or null if it did not wait
     */
    static Object awaitUnless(ReentrantLock lock, WaitQueue queue, BooleanSupplier readyLocked,
                              Deadline deadline, String what) {
        checkStart(what);
        Waiter w;
        lock.lock();
        try {
            if (readyLocked.getAsBoolean()) {
                return null;
            }
            w = new Waiter(new Waits.Signal(), 0, null, 0);
            queue.add(w);
        } finally {
            lock.unlock();
        }
        if (!await(w.op, deadline)) {
            locked(lock, () -> queue.remove(w));
            throw cancelled(w.op.cancelReason(), what);
        }
        return w.op.attachment();
    }

    /** Runs {@code action} under {@code lock}. */
    static void locked(Lock lock, Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }
}
