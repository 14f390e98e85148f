package io.weft.sync;

import io.weft.Deadline;
import io.weft.internal.wait.Waits;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A mutual-exclusion lock whose waits are Weft waits: with timeouts, and ended by task
 * cancellation. Not reentrant; held by a thread (a task's virtual thread, or a platform
 * thread), and only the holder may unlock it.
 *
 * <pre>{@code
 * Mutex m = new Mutex();
 * try (Mutex.Guard g = m.lock(Duration.ofMillis(100))) {
 *     update(shared);
 * }
 * }</pre>
 *
 * <p>Fair: the lock passes straight to the longest waiter when released, so nobody
 * barges ahead of a queue. {@link #newCondition()} gives condition variables.
 *
 * <p>{@link java.util.concurrent.locks.ReentrantLock} works in tasks too (it parks the
 * virtual thread); prefer this one when the wait needs a {@link Deadline} or must end on
 * task cancellation without relying on interrupts.
 */
/*
 * Overview
 *
 * State under `lock` (an internal ReentrantLock held only for a few field writes): `owner`
 * (null when free) and `waiters` (FIFO).
 *
 *   lock():   lock; if free and no live waiter: owner = me; else enqueue; unlock; park
 *   unlock(): lock; check owner; hand over: fire the first live waiter, owner = its thread
 *             (a dead one is dropped and the next tried); if none: owner = null
 *   cancelled while queued: lock; unlink own waiter; unlock
 *
 * A waiter owns the lock exactly when its op's CAS was won by an unlock, so ownership is
 * never given to two threads nor lost to a cancelled one. No dispatch is needed after a
 * cancelled waiter leaves: while anyone waits, the lock is held, and its unlock dispatches.
 *
 * Rejected: wrapping j.u.c.ReentrantLock (lockInterruptibly/tryLock(timeout)): task
 * cancellation would then rely on interrupts alone and deadlines would not use the loop's
 * timers; it is also reentrant, which a Condition built on a Weft wait cannot honour.
 */
public final class Mutex {

    /** Unlocks on close; for try-with-resources. Close once per lock. */
    public final class Guard implements AutoCloseable {
        private Guard() {
        }

        @Override
        public void close() {
            unlock();
        }
    }

    final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private final Guard guard = new Guard();
    private Thread owner;

    /** Takes the lock, waiting as long as it takes. */
    public Guard lock() {
        return lock(Deadline.NONE);
    }

    /** Takes the lock, waiting at most {@code timeout}. */
    public Guard lock(Duration timeout) {
        return lock(Deadline.after(timeout));
    }

    /**
     * Takes the lock, waiting until {@code deadline}.
     *
     * @return a guard whose close() unlocks
     * @throws io.weft.DeadlineExceededException         the deadline passed; not locked
     * @throws java.util.concurrent.CancellationException cancelled or interrupted; not locked
     * @throws IllegalStateException                      the caller already holds it
     */
    public Guard lock(Deadline deadline) {
        Parking.checkStart("Mutex.lock");
        Waiter w = enqueueOrTake();
        if (w == null) {
            return guard;
        }
        if (!Parking.await(w.op, deadline)) {
            Parking.locked(lock, () -> waiters.remove(w));
            throw Parking.cancelled(w.op.cancelReason(), "Mutex.lock");
        }
        return guard;
    }

    /** Takes the lock if it is free and nobody waits for it. */
    public boolean tryLock() {
        lock.lock();
        try {
            checkNotHeldByMe();
            if (owner == null && waiters.hasNoLive()) {
                owner = Thread.currentThread();
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the lock, waiting without regard to cancellation (Condition uses it to re-lock). */
    void lockUninterruptibly() {
        Waiter w = enqueueOrTake();
        if (w != null) {
            Waits.awaitUninterruptibly(w.op);
        }
    }

    /** Takes the lock now and returns null, or queues and returns the waiter. */
    private Waiter enqueueOrTake() {
        lock.lock();
        try {
            checkNotHeldByMe();
            if (owner == null && waiters.hasNoLive()) {
                owner = Thread.currentThread();
                return null;
            }
            Waiter w = new Waiter(new Waits.Signal(), 0, null, 0);
            waiters.add(w);
            return w;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Releases the lock, handing it to the longest waiter.
     *
     * @throws IllegalMonitorStateException the caller does not hold it
     */
    public void unlock() {
        lock.lock();
        try {
            if (owner != Thread.currentThread()) {
                throw new IllegalMonitorStateException("Mutex not held by " + Thread.currentThread());
            }
            releaseLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Internal lock held, by the owner: passes the mutex on or frees it. */
    void releaseLocked() {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            if (w.fire(null)) {
                owner = w.op.waiter();
                return;
            }
        }
        owner = null;
    }

    /** Internal lock held. */
    boolean isHeldByCurrentThreadLocked() {
        return owner == Thread.currentThread();
    }

    private void checkNotHeldByMe() {
        if (owner == Thread.currentThread()) {
            throw new IllegalStateException("Mutex is not reentrant: already held by " + owner);
        }
    }

    public boolean isLocked() {
        lock.lock();
        try {
            return owner != null;
        } finally {
            lock.unlock();
        }
    }

    public boolean isHeldByCurrentThread() {
        lock.lock();
        try {
            return owner == Thread.currentThread();
        } finally {
            lock.unlock();
        }
    }

    /** A condition variable bound to this mutex. */
    public Condition newCondition() {
        return new Condition(this);
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "Mutex[" + (owner == null ? "free" : "held by " + owner) + ", " + waiters.size() + " waiting]";
        } finally {
            lock.unlock();
        }
    }
}
