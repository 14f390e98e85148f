package io.weft.sync;

import io.weft.internal.wait.Op;

/**
 * One parked party in a {@link WaitQueue}: a receiver, a sender, an acquirer. It points at
 * the {@link Op} that its thread waits on; for a select, many waiters (one per case) share
 * one op and differ by {@link #index}.
 *
 * <p>Fields other than {@link #op} are guarded by the lock of the structure whose queue
 * holds the waiter.
 */
final class Waiter {

    /**
     * The attachment a waiter is fired with when its channel closed instead of matching.
     * Never a user value: channels reject null, and this object is private to the package.
     */
    static final Object CLOSED = new Object() {
        @Override
        public String toString() {
            return "CLOSED";
        }
    };

    /** The op the waiting thread parks on; completing it is the claim (see {@link #fire}). */
    final Op op;
    /** The case index of a select; 0 for a plain wait. Becomes the op's result. */
    final int index;
    /** What the waiter offers: a sender's value; null for others. */
    final Object item;
    /** A count the structure needs: permits wanted, or a reader/writer kind. */
    final int need;

    Waiter prev;
    Waiter next;
    WaitQueue queue;

    Waiter(Op op, int index, Object item, int need) {
        this.op = op;
        this.index = index;
        this.item = item;
        this.need = need;
    }

    /**
     * Claims the waiter and hands it {@code attachment} in one step: the op's single CAS.
     * False if the op was already done (cancelled, or its select fired elsewhere); the
     * caller then drops this waiter and must not consider anything handed over.
     */
    boolean fire(Object attachment) {
        return op.complete(index, attachment);
    }

    /** True while the waiter can still be claimed. */
    boolean isLive() {
        return !op.isDone();
    }

    boolean isLinked() {
        return queue != null;
    }
}
