package io.weft.sync;

import io.weft.Deadline;
import io.weft.internal.wait.Waits;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A count of permits; {@link #acquire} takes some, waiting until they are there, and
 * {@link #release} gives them back.
 *
 * <pre>{@code
 * Semaphore connections = new Semaphore(8);
 * connections.acquire(Duration.ofSeconds(2));     // DeadlineExceededException if none frees up
 * try { talk(); } finally { connections.release(); }
 * }</pre>
 *
 * <p>Strictly FIFO: waiters are served in the order they came, and an acquire (also
 * {@link #tryAcquire}) never takes permits ahead of a waiter, even if there are enough for
 * it. A waiter that wants many permits therefore holds back later ones that want few,
 * which is what keeps it from starving.
 *
 * <p>Acquiring is a Weft wait: timeouts throw {@link io.weft.DeadlineExceededException},
 * cancellation {@link java.util.concurrent.CancellationException}, and in both cases no
 * permit was taken. A grant that races a cancellation wins: the acquire returns normally
 * with the permits. Permits are not owned: any thread may release them.
 */
/*
 * Overview
 *
 * State under `lock`: `permits`, and `waiters` (FIFO; Waiter.need = permits wanted).
 *
 *   acquire(n):  lock; if no live waiter and permits >= n: permits -= n, return
 *                else enqueue Waiter(op, n); unlock; park
 *   release(n):  lock; permits += n; dispatch(); unlock
 *   dispatch():  while the first live waiter's need <= permits: fire it (its op's CAS);
 *                if that won, permits -= need; a dead waiter is dropped
 *   cancelled:   lock; unlink own waiter; dispatch(); unlock
 *
 * Permits leave `permits` only together with a won CAS on the receiving waiter's op, so a
 * grant is received exactly once. The dispatch after a cancelled waiter leaves matters:
 * it may have been the head that held back smaller waiters.
 *
 * Rejected: java.util.concurrent.Semaphore with tryAcquire(timeout) in a loop. It parks
 * the virtual thread fine, but knows nothing of Weft deadlines, task cancellation without
 * an interrupt, or the loop timer, and its fair mode still lets tryAcquire() barge.
 */
public final class Semaphore {

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private long permits;

    /** A semaphore with {@code permits} permits (0 or more). */
    public Semaphore(long permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0: " + permits);
        }
        this.permits = permits;
    }

    /** Takes one permit, waiting until it is there. */
    public void acquire() {
        acquire(1, Deadline.NONE);
    }

    /** Takes one permit, waiting at most {@code timeout}. */
    public void acquire(Duration timeout) {
        acquire(1, Deadline.after(timeout));
    }

    /** Takes one permit, waiting until {@code deadline}. */
    public void acquire(Deadline deadline) {
        acquire(1, deadline);
    }

    /**
     * Takes {@code n} permits at once, waiting until {@code deadline}.
     *
     * @throws io.weft.DeadlineExceededException         the deadline passed; nothing taken
     * @throws java.util.concurrent.CancellationException cancelled or interrupted; nothing taken
     */
    public void acquire(int n, Deadline deadline) {
        checkCount(n);
        Parking.checkStart("Semaphore.acquire");
        Waiter w = acquireOrEnqueue(n);
        if (w == null) {
            return;
        }
        Parking.await(w.op, deadline);
        finishAcquire(w);
    }

    /**
     * The first half of an acquire: takes {@code n} permits now (null), or queues a waiter
     * for them and returns it; the caller then waits for its op.
     */
    Waiter acquireOrEnqueue(int n) {
        lock.lock();
        try {
            if (takeNowLocked(n)) {
                return null;
            }
            Waiter w = new Waiter(new Waits.Signal(), 0, null, n);
            waiters.add(w);
            return w;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The second half of an acquire, once {@code w}'s op is done: returns if the permits
     * were granted; if the wait was cancelled, withdraws the waiter, lets the waiters it
     * held back through, and throws.
     */
    void finishAcquire(Waiter w) {
        if (w.op.wasCancelled()) {
            lock.lock();
            try {
                waiters.remove(w);
                dispatchLocked();
            } finally {
                lock.unlock();
            }
            throw Parking.cancelled(w.op.cancelReason(), "Semaphore.acquire");
        }
    }

    /** Takes one permit if that needs no wait; false otherwise. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /** Takes {@code n} permits if that needs no wait (and nobody waits before us); false otherwise. */
    public boolean tryAcquire(int n) {
        checkCount(n);
        lock.lock();
        try {
            return takeNowLocked(n);
        } finally {
            lock.unlock();
        }
    }

    private boolean takeNowLocked(int n) {
        if (permits >= n && waiters.hasNoLive()) {
            permits -= n;
            return true;
        }
        return false;
    }

    /** Gives back one permit. */
    public void release() {
        release(1);
    }

    /** Gives back {@code n} permits, waking the waiters they satisfy, in order. */
    public void release(int n) {
        checkCount(n);
        lock.lock();
        try {
            if (permits + n < permits) {
                throw new IllegalStateException("permit count overflow");
            }
            permits += n;
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    private void dispatchLocked() {
        Waiter w;
        while ((w = waiters.peekLive()) != null && w.need <= permits) {
            waiters.remove(w);
            if (w.fire(null)) {
                permits -= w.need;
            }
        }
    }

    /** The permits available now (waiters may be about to take them). */
    public long availablePermits() {
        lock.lock();
        try {
            return permits;
        } finally {
            lock.unlock();
        }
    }

    /** The number of threads waiting (a snapshot; may count some that are leaving). */
    public int queueLength() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    private static void checkCount(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("count must be > 0: " + n);
        }
    }

    @Override
    public String toString() {
        return "Semaphore[" + availablePermits() + " permits, " + queueLength() + " waiting]";
    }
}
