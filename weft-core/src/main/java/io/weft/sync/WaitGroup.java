package io.weft.sync;

import io.weft.Deadline;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waits for a count of outstanding jobs to reach zero, as Go's {@code sync.WaitGroup}:
 * {@link #add} before starting jobs, {@link #done()} as each ends, {@link #await()} until
 * none is left.
 *
 * <pre>{@code
 * WaitGroup wg = new WaitGroup();
 * for (Url u : urls) {
 *     wg.add(1);
 *     Weft.spawn(() -> { try { fetch(u); } finally { wg.done(); } });
 * }
 * wg.await(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>For tasks, a {@link io.weft.Scope} usually says this better (and reports failures);
 * a WaitGroup is for work that is not one task each, or spans scopes. The counter may go
 * up again after reaching zero; waiters woken at zero have returned by then.
 */
/*
 * Overview
 *
 * State under `lock`: `count` and `waiters`. add(d): count += d; negative -> error; zero ->
 * fire every waiter. await(): return if zero, else queue and park. A wake-up takes
 * nothing, so a cancelled waiter costs nobody anything.
 *
 * Rejected: CountDownLatch: it cannot count up, and its await knows nothing of Weft
 * deadlines or task cancellation.
 */
public final class WaitGroup {

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private long count;

    public WaitGroup() {
    }

    /**
     * Adds {@code delta} (may be negative) to the count; waiters wake when it reaches zero.
     *
     * @throws IllegalStateException the count would go below zero (nothing is changed)
     */
    public void add(long delta) {
        lock.lock();
        try {
            long c = count + delta;
            if (c < 0) {
                throw new IllegalStateException("WaitGroup count would become negative: " + count + " + " + delta);
            }
            count = c;
            if (c == 0) {
                waiters.drain(w -> w.fire(null));
            }
        } finally {
            lock.unlock();
        }
    }

    /** One job ended: {@code add(-1)}. */
    public void done() {
        add(-1);
    }

    public long count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the count is zero. */
    public void await() {
        await(Deadline.NONE);
    }

    public void await(Duration timeout) {
        await(Deadline.after(timeout));
    }

    /** Waits until the count is zero, or {@code deadline}. */
    public void await(Deadline deadline) {
        Parking.awaitUnless(lock, waiters, () -> count == 0, deadline, "WaitGroup.await");
    }
}
