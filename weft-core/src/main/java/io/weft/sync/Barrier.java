package io.weft.sync;

import io.weft.Deadline;
import io.weft.internal.wait.Waits;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a fixed number of parties wait for each other: each {@link #await()} returns once
 * {@code parties} of them have arrived; then the barrier starts over for the next round.
 *
 * <pre>{@code
 * Barrier step = new Barrier(workers);
 * for (int round = 0; round < rounds; round++) {
 *     compute(round);
 *     step.await();          // everyone finished this round
 * }
 * }</pre>
 *
 * <p>A party whose wait is cancelled or times out withdraws its arrival: the others keep
 * waiting for one more. (Unlike {@link java.util.concurrent.CyclicBarrier}, nothing
 * "breaks": in Weft a cancelled task leaving is normal, and the barrier stays usable.) If
 * the round completes before the withdrawal takes effect, the party has passed: its await
 * returns normally and the cancellation shows at its next wait.
 */
/*
 * Overview
 *
 * State under `lock`: `arrived` in this round, `round` (a fresh Round object per round)
 * and the round's `waiters`.
 *
 *   await():  lock; arrived++
 *             if arrived == parties: mark the round tripped, fire every waiter, start a
 *               new round; return true (the leader)
 *             else queue a Waiter; unlock; park
 *             cancelled: lock; if my round tripped: I passed, return false (the trip
 *               happened before my withdrawal, under this lock)
 *               else unlink, arrived--; throw
 *
 * Unlike the other primitives, whether a party passed is decided by the order of trip and
 * withdrawal under the lock, not by its op's CAS: a fire that loses to a cancel would
 * otherwise let a round pass with a party that then reports it did not.
 *
 * Rejected: breaking the barrier for everyone on one party's cancellation, as
 * CyclicBarrier does: it turns one cancelled task into failures in all the others.
 */
public final class Barrier {

    private static final class Round {
        boolean tripped;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private final int parties;
    private int arrived;
    private Round round = new Round();

    /** A barrier for {@code parties} parties (at least 1). */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be >= 1: " + parties);
        }
        this.parties = parties;
    }

    public int parties() {
        return parties;
    }

    /** The number of parties waiting in the current round. */
    public int waiting() {
        lock.lock();
        try {
            return arrived;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the other parties; see {@link #await(Deadline)}. */
    public boolean await() {
        return await(Deadline.NONE);
    }

    public boolean await(Duration timeout) {
        return await(Deadline.after(timeout));
    }

    /**
     * Arrives and waits until {@code parties} have arrived in this round.
     *
     * @return true for the one party whose arrival completed the round (the "leader", which
     *         may for example do the round's bookkeeping), false for the others
     * @throws io.weft.DeadlineExceededException         the deadline passed; the arrival is withdrawn
     * @throws java.util.concurrent.CancellationException cancelled or interrupted; the arrival is withdrawn
     */
    public boolean await(Deadline deadline) {
        Parking.checkStart("Barrier.await");
        Waiter w;
        Round mine;
        lock.lock();
        try {
            if (++arrived == parties) {
                round.tripped = true;
                waiters.drain(x -> x.fire(null));
                round = new Round();
                arrived = 0;
                return true;
            }
            mine = round;
            w = new Waiter(new Waits.Signal(), 0, mine, 0);
            waiters.add(w);
        } finally {
            lock.unlock();
        }
        if (Parking.await(w.op, deadline)) {
            return false;
        }
        lock.lock();
        try {
            if (mine.tripped) {
                return false;
            }
            waiters.remove(w);
            arrived--;
        } finally {
            lock.unlock();
        }
        throw Parking.cancelled(w.op.cancelReason(), "Barrier.await");
    }
}
