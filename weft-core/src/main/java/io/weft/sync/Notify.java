package io.weft.sync;

import io.weft.Deadline;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes waiting tasks without carrying data: {@link #notifyOne()} wakes one waiter, or if
 * none waits, leaves one permit so that the next {@link #await()} returns at once;
 * {@link #notifyWaiters()} wakes every current waiter and leaves nothing behind. Tokio's
 * {@code Notify}. (It is not called notifyAll: {@link Object#notifyAll()} is final.)
 *
 * <pre>{@code
 * // consumer                              // producer
 * while (true) {                           queue.add(item);
 *     Item i = queue.poll();               changed.notifyOne();
 *     if (i != null) { use(i); continue; }
 *     changed.await();
 * }
 * }</pre>
 *
 * <p>The permit closes the gap between the consumer's check and its wait: a notify that
 * comes in that gap is not lost. Permits do not accumulate (at most one). A notifyOne that
 * races the cancellation of the waiter it picked goes to the next waiter, or becomes the
 * permit: it is never lost, and never wakes two.
 */
/*
 * Overview
 *
 * State under `lock`: `permit` (0 or 1) and `waiters` (FIFO).
 *   notifyOne(): fire waiters from the front until one CAS is won; if none, permit = 1
 *   notifyWaiters(): fire every waiter; the permit is left as it was
 *   await():     if permit: take it, return; else queue and park
 *
 * Rejected: LockSupport.unpark-style permits per thread: they attach to the thread, not
 * to the thing waited for, so one wait's leftover permit leaks into an unrelated wait.
 */
public final class Notify {

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private boolean permit;

    public Notify() {
    }

    /** Wakes the longest waiter, or stores the permit if nobody waits. */
    public void notifyOne() {
        lock.lock();
        try {
            Waiter w;
            while ((w = waiters.poll()) != null) {
                if (w.fire(null)) {
                    return;
                }
            }
            permit = true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter there is now. Stores no permit. */
    public void notifyWaiters() {
        lock.lock();
        try {
            waiters.drain(w -> w.fire(null));
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a notification (or takes the stored permit). */
    public void await() {
        await(Deadline.NONE);
    }

    public void await(Duration timeout) {
        await(Deadline.after(timeout));
    }

    /** Waits for a notification until {@code deadline}. */
    public void await(Deadline deadline) {
        Parking.awaitUnless(lock, waiters, () -> {
            if (permit) {
                permit = false;
                return true;
            }
            return false;
        }, deadline, "Notify.await");
    }
}
