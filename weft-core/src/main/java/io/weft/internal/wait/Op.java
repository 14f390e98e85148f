package io.weft.internal.wait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One wait of one thread: a socket read, an accept, a sleep, a join, a channel receive.
 * The thread that builds an op is its only waiter; whoever finishes the work calls
 * {@link #complete}; anyone may ask for cancellation with {@link #requestCancel}.
 *
 * <p>Subclasses say how to withdraw the work ({@link #onCancel}); {@link Waits}
 * holds the one park loop every wait goes through.
 */
/*
 * Overview
 *
 * All cross-thread races on an op resolve through one atomic word, `state`:
 *
 *   state          meaning
 *   ------------   -------------------------------------------------------------
 *   0              pending: submitted (or about to be), no result, no cancel asked
 *   CANCEL_* bit   cancellation asked, for that one reason; the work is being
 *                  withdrawn but may still finish with a real result
 *   COMPLETING bit a complete() has claimed the op and is writing the result; no other
 *                  complete() or requestCancel() can succeed. Transient. May be combined
 *                  with one CANCEL_* bit.
 *   DONE bit       result published; final. May be combined with one CANCEL_* bit.
 *
 * 1. complete(r): CAS COMPLETING into a state that has neither COMPLETING nor DONE (the
 *    claim), write `result`/`attachment` (plain), then a volatile store of DONE (the
 *    publication, paired with the waiter's volatile read of `state`), then unpark the
 *    waiter. The store must be volatile, not just release: a virtual thread's unpark
 *    that finds the park permit already set (a stale unpark) only reads it and returns,
 *    so nothing else orders our DONE store before that read. With a release store the
 *    waiter could take that stale permit, re-check the op before DONE was visible, and
 *    park for good (a lost wake-up; SpuriousWakeRaceTest). The volatile store and the
 *    waiter's volatile read after its own getAndSet of the permit form a Dekker pair:
 *    either the waiter sees DONE, or our read sees the permit consumed and we unpark.
 *    Claiming before writing matters when
 *    two threads complete at once (a hand-over and a cancel's complete(CANCELLED)): had
 *    both written before their CAS, the winner could publish the loser's fields. A second
 *    complete() fails the claim and returns false, so a late completion is harmless.
 * 2. requestCancel(reason): CAS a CANCEL_* bit into a state that is exactly 0. The one
 *    winner calls onCancel() once; losers (already done, or already cancelling) do
 *    nothing. The op is not finished by asking: onCancel() arranges for a final
 *    complete(), usually with -ECANCELED, and the waiter keeps waiting for it. This is
 *    what keeps a buffer owned by the kernel until its final completion (DESIGN §3).
 * 3. An op that completes with a real result after cancel was asked keeps that
 *    result: the waiter returns it and the cancellation is reported by the next wait.
 *    So a read that raced a cancel never loses the bytes it consumed.
 *
 * Rejected: a lock per op. Completion happens on loop threads that must never block on
 * a lock a task may hold (DESIGN §2).
 */
public abstract class Op {

    /** Cancellation because the waiting task was cancelled. */
    public static final int CANCEL_TASK = 1;
    /** Cancellation because the waiting thread was interrupted. */
    public static final int CANCEL_INTERRUPT = 1 << 1;
    /** Cancellation because the wait's deadline passed. */
    public static final int CANCEL_TIMEOUT = 1 << 2;
    /** Cancellation because the resource the op works on was closed. */
    public static final int CANCEL_CLOSE = 1 << 3;
    /** Cancellation because the runtime is shutting down. */
    public static final int CANCEL_SHUTDOWN = 1 << 4;
    private static final int CANCEL_MASK = 0x1f;
    private static final int DONE = 1 << 8;
    private static final int COMPLETING = 1 << 9;

    /** The result value for an op that was withdrawn before doing anything (-ECANCELED). */
    public static final long CANCELLED = -125;

    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Op.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See the table in the overview. Written by CAS and by the volatile DONE store; read as volatile. */
    @SuppressWarnings("unused")
    private volatile int state;

    /** The only thread that waits for this op. */
    private final Thread waiter;

    // Written between the COMPLETING claim and the DONE store; read after a read that saw DONE.
    private long result;
    private Object attachment;

    protected Op() {
        this.waiter = Thread.currentThread();
        if (OpTrace.ON) {
            OpTrace.record(this, "built", 0);
        }
    }

    /** The thread that waits for this op. */
    public final Thread waiter() {
        return waiter;
    }

    /**
     * Publishes the final result and wakes the waiter. Any thread.
     *
     * @param result     a non-negative value, or a negative errno ({@link #CANCELLED} when withdrawn)
     * @param attachment an object result (an accepted socket, a received value), or null
     * @return false if the op was already done (the call had no effect)
     */
    public final boolean complete(long result, Object attachment) {
        for (;;) {
            int s = (int) STATE.getAcquire(this);
            if ((s & (DONE | COMPLETING)) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s | COMPLETING)) {
                this.result = result;
                this.attachment = attachment;
                // Nobody else changes state while COMPLETING is set (every CAS expects it clear).
                STATE.setVolatile(this, s | DONE); // volatile, not release: see the overview, 1.
                if (OpTrace.ON) {
                    OpTrace.record(this, "completed from state", s);
                    OpTrace.record(this, "waiter's vstate*10+permit before unpark", OpTrace.vstate(waiter));
                }
                onDone();
                LockSupport.unpark(waiter);
                if (OpTrace.ON) {
                    OpTrace.record(this, "unparked the waiter; its vstate*10+permit", OpTrace.vstate(waiter));
                }
                return true;
            }
        }
    }

    /** Same as {@code complete(result, null)}. */
    public final boolean complete(long result) {
        return complete(result, null);
    }

    /**
     * Asks for the op to be withdrawn. Any thread. Only the first request on a pending op
     * has an effect: it calls {@link #onCancel} once.
     *
     * @param reason one of the {@code CANCEL_*} constants
     * @return true if this call started the cancellation
     */
    public final boolean requestCancel(int reason) {
        if ((reason & CANCEL_MASK) == 0 || Integer.bitCount(reason) != 1) {
            throw new IllegalArgumentException("not a cancel reason: " + reason);
        }
        if (STATE.compareAndSet(this, 0, reason)) {
            if (OpTrace.ON) {
                OpTrace.record(this, "cancel requested, reason", reason);
            }
            onCancel(reason);
            return true;
        }
        return false;
    }

    /**
     * Withdraws the work after a cancel request; called exactly once, on the thread that
     * requested it. It must lead, now or later, to one final {@link #complete}: with
     * {@link #CANCELLED} if the work was withdrawn, or with the real result if it had
     * already happened.
     */
    protected abstract void onCancel(int reason);

    /**
     * Called once, on the completing thread, right after the result is published and
     * before the waiter is woken. I/O ops use it to release their hold on a handle.
     */
    protected void onDone() {
    }

    /** True once the final result is published. */
    public final boolean isDone() {
        return ((int) STATE.getVolatile(this) & DONE) != 0; // the other half of the Dekker pair in complete()
    }

    /** True while the op is neither done nor being cancelled. */
    public final boolean isPending() {
        return (int) STATE.getAcquire(this) == 0;
    }

    /** The reason cancellation was requested (a {@code CANCEL_*} constant), or 0. */
    public final int cancelReason() {
        return (int) STATE.getAcquire(this) & CANCEL_MASK;
    }

    /** The result; only meaningful once {@link #isDone()}. */
    public final long result() {
        assert isDone();
        return result;
    }

    /** The object result; only meaningful once {@link #isDone()}. */
    public final Object attachment() {
        assert isDone();
        return attachment;
    }

    /** True if the op ended without doing its work because it was cancelled. */
    public final boolean wasCancelled() {
        return isDone() && result == CANCELLED && cancelReason() != 0;
    }
}
