package io.weft.sync;

import io.weft.Deadline;
import io.weft.internal.wait.Waits;

import java.time.Duration;

/**
 * A condition variable of a {@link Mutex}: wait until another thread signals, releasing
 * the mutex meanwhile. Made by {@link Mutex#newCondition()}.
 *
 * <pre>{@code
 * try (var g = mutex.lock()) {
 *     while (queue.isEmpty()) notEmpty.await(Duration.ofSeconds(1));
 *     return queue.poll();
 * }
 * }</pre>
 *
 * <p>As with every condition variable, wake-ups can be spurious from the caller's point
 * of view (another thread may get there first): wait in a loop that re-checks the state.
 * Whatever way {@link #await} ends, normally or by exception, it has taken the mutex back.
 * A signal that races a cancellation is not lost: either the waiter receives it and
 * returns normally, or it goes to the next waiter.
 */
/*
 * Overview
 *
 * The waiters live under the mutex's internal lock, so await's "enqueue, then release the
 * mutex" is one step: a signal can't slip in between.
 *
 *   await():  check owner; lock; enqueue Waiter; release the mutex (hand it on); unlock
 *             park (cancellable)
 *             if cancelled: lock; unlink own waiter; unlock
 *             re-take the mutex, not cancellable (the caller's finally will unlock it)
 *             then return, or throw the cancellation
 *   signal(): lock; fire waiters from the front until one CAS is won; unlock
 *
 * Rejected: moving a signalled waiter straight into the mutex queue (j.u.c's
 * AbstractQueuedSynchronizer does). It saves a wake-up when the signaller still holds
 * the mutex, but ties the two queues together; a signalled waiter here simply queues for
 * the mutex after waking.
 */
public final class Condition {

    private final Mutex mutex;
    private final WaitQueue waiters = new WaitQueue();

    Condition(Mutex mutex) {
        this.mutex = mutex;
    }

    /** Waits for a signal; see {@link #await(Deadline)}. */
    public void await() {
        await(Deadline.NONE);
    }

    /** Waits for a signal at most {@code timeout}; see {@link #await(Deadline)}. */
    public void await(Duration timeout) {
        await(Deadline.after(timeout));
    }

    /**
     * Releases the mutex, waits for a signal, and takes the mutex back.
     *
     * @throws IllegalMonitorStateException              the caller does not hold the mutex
     * @throws io.weft.DeadlineExceededException         the deadline passed (the mutex is held again)
     * @throws java.util.concurrent.CancellationException cancelled or interrupted (the mutex is held again)
     */
    public void await(Deadline deadline) {
        Waiter w;
        mutex.lock.lock();
        try {
            if (!mutex.isHeldByCurrentThreadLocked()) {
                throw new IllegalMonitorStateException("Condition.await without holding its Mutex");
            }
            Parking.checkStart("Condition.await");
            w = new Waiter(new Waits.Signal(), 0, null, 0);
            waiters.add(w);
            mutex.releaseLocked();
        } finally {
            mutex.lock.unlock();
        }
        boolean signalled = Parking.await(w.op, deadline);
        if (!signalled) {
            Parking.locked(mutex.lock, () -> waiters.remove(w));
        }
        mutex.lockUninterruptibly();
        if (!signalled) {
            throw Parking.cancelled(w.op.cancelReason(), "Condition.await");
        }
    }

    /** Wakes the longest waiter, if any. The caller need not hold the mutex. */
    public void signal() {
        mutex.lock.lock();
        try {
            Waiter w;
            while ((w = waiters.poll()) != null) {
                if (w.fire(null)) {
                    return;
                }
            }
        } finally {
            mutex.lock.unlock();
        }
    }

    /** Wakes every waiter. */
    public void signalAll() {
        mutex.lock.lock();
        try {
            waiters.drain(w -> w.fire(null));
        } finally {
            mutex.lock.unlock();
        }
    }
}
