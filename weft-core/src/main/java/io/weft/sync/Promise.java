package io.weft.sync;

import io.weft.Deadline;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A value set once and awaited by any number of tasks.
 *
 * <pre>{@code
 * Promise<Config> config = new Promise<>();
 * Weft.spawn(() -> config.complete(load()));
 * Config c = config.await(Duration.ofSeconds(2));     // in as many tasks as like
 * }</pre>
 *
 * <p>{@link #complete} or {@link #fail} settles it; only the first call counts. Awaiting
 * a failed promise throws {@link CompletionException} with the failure as its cause, as
 * {@link io.weft.Task#join()} does. Awaiting is a Weft wait: timeouts throw
 * {@link io.weft.DeadlineExceededException}, cancellation
 * {@link java.util.concurrent.CancellationException}; neither affects the promise.
 *
 * <p>Compared with {@link java.util.concurrent.CompletableFuture}: no callbacks, no
 * chaining; just a value to wait for with Weft's deadlines and cancellation. Use a
 * CompletableFuture to hand results to code that expects one.
 */
/*
 * Overview
 *
 * State under `lock`: `state` (PENDING, VALUE or FAILED), `value`/`failure`, `waiters`.
 * complete/fail: if PENDING, store, fire every waiter. await(): if settled, report; else
 * queue and park, then report. The outcome is read under the lock after the wait, so a
 * waiter never depends on what its wake-up carried.
 *
 * Rejected: CompletableFuture.get(): it parks fine, but throws checked exceptions, and
 * its timeouts and cancellation are not Weft's.
 */
public final class Promise<T> {

    private static final int PENDING = 0;
    private static final int VALUE = 1;
    private static final int FAILED = 2;

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private int state = PENDING;
    private T value;
    private Throwable failure;

    public Promise() {
    }

    /** Settles the promise with {@code value} (null allowed); false if already settled. */
    public boolean complete(T value) {
        return settle(VALUE, value, null);
    }

    /** Settles the promise with a failure; false if already settled. */
    public boolean fail(Throwable failure) {
        return settle(FAILED, null, Objects.requireNonNull(failure, "failure"));
    }

    private boolean settle(int s, T v, Throwable f) {
        lock.lock();
        try {
            if (state != PENDING) {
                return false;
            }
            state = s;
            value = v;
            failure = f;
            waiters.drain(w -> w.fire(null));
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isDone() {
        lock.lock();
        try {
            return state != PENDING;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the outcome; see {@link #await(Deadline)}. */
    public T await() {
        return await(Deadline.NONE);
    }

    public T await(Duration timeout) {
        return await(Deadline.after(timeout));
    }

    /**
     * Waits until the promise is settled, or {@code deadline}, and returns its value.
     *
     * @throws CompletionException the promise failed; the cause is the failure
     */
    public T await(Deadline deadline) {
        Parking.awaitUnless(lock, waiters, () -> state != PENDING, deadline, "Promise.await");
        lock.lock();
        try {
            return outcomeLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The value if settled, without waiting.
     *
     * @return the value, or {@code ifPending} if not settled yet
     * @throws CompletionException the promise failed
     */
    public T getNow(T ifPending) {
        lock.lock();
        try {
            return state == PENDING ? ifPending : outcomeLocked();
        } finally {
            lock.unlock();
        }
    }

    private T outcomeLocked() {
        if (state == FAILED) {
            throw new CompletionException("promise failed: " + failure, failure);
        }
        return value;
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "Promise[" + (state == PENDING ? "pending" : state == VALUE ? "value " + value : "failed " + failure) + "]";
        } finally {
            lock.unlock();
        }
    }
}
