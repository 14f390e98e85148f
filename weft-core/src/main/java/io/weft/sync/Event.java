package io.weft.sync;

import io.weft.Deadline;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A flag that tasks wait on: {@link #await()} returns once the event is set, at once if
 * it already is. It stays set (every later waiter passes) until {@link #reset()}.
 *
 * <pre>{@code
 * Event ready = new Event();
 * Weft.spawn(() -> { warmUp(); ready.set(); });
 * ready.await(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Waiting is a Weft wait: timeouts throw {@link io.weft.DeadlineExceededException},
 * cancellation {@link java.util.concurrent.CancellationException}. A set that races a
 * waiter's cancellation may wake it normally (the set won) or not (the cancel won); the
 * event is set either way.
 */
/*
 * Overview
 *
 * State under `lock`: `set` and `waiters`. set(): set = true, fire every waiter. await():
 * return if set, else queue and park. Nothing is consumed by a wake-up, so a waiter that
 * loses its CAS to a cancel costs nobody anything.
 *
 * Rejected: a CountDownLatch(1): it cannot be reset and its await knows nothing of Weft
 * deadlines or task cancellation.
 */
public final class Event {

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private boolean set;

    /** An event that is not set. */
    public Event() {
    }

    /** Sets the event and wakes every waiter. Idempotent. */
    public void set() {
        lock.lock();
        try {
            set = true;
            waiters.drain(w -> w.fire(null));
        } finally {
            lock.unlock();
        }
    }

    /** Clears the event; later waiters wait for the next {@link #set()}. */
    public void reset() {
        lock.lock();
        try {
            set = false;
        } finally {
            lock.unlock();
        }
    }

    public boolean isSet() {
        lock.lock();
        try {
            return set;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the event is set. */
    public void await() {
        await(Deadline.NONE);
    }

    public void await(Duration timeout) {
        await(Deadline.after(timeout));
    }

    /** Waits until the event is set, or {@code deadline}. */
    public void await(Deadline deadline) {
        Parking.awaitUnless(lock, waiters, () -> set, deadline, "Event.await");
    }
}
