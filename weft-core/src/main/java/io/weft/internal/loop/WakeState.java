package io.weft.internal.loop;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The word through which a loop going idle and the threads handing it work agree on who
 * writes the loop's wake-up descriptor. The loop walks AWAKE -> SPINNING -> ASLEEP -> AWAKE
 * (or SPINNING -> AWAKE when the spin found work); a producer queues its work first, then
 * calls {@link #claimWakeup()}, and writes the descriptor only if that returns true.
 *
 * <p>The full protocol, and why no wake-up is lost, is in {@link EventLoop}'s overview;
 * {@code WakeStateLincheckTest} model-checks it.
 */
@SuppressWarnings("serial")
public final class WakeState extends AtomicInteger {

    /** Running tasks, or about to. A producer does nothing. */
    public static final int AWAKE = 0;
    /** Idle, busy-polling its queues. A producer does nothing: the spin will see its work. */
    public static final int SPINNING = 1;
    /** Re-checking its queues, or blocked in the backend. A producer must wake it. */
    public static final int ASLEEP = 2;

    /** What the loop checks after it has said ASLEEP. Implemented by the loop itself, so no lambda per sleep. */
    public interface Work {
        /** True if the loop has something to do (queued runnables, a stop request). */
        boolean pending();
    }

    /*
     * The state is this AtomicInteger's value, accessed with volatile get/set and CAS only
     * (sequentially consistent): the protocol is a Dekker pair. An AtomicInteger rather than
     * a VarHandle on a field so that the model checker sees every access as a point where
     * another thread may run.
     */

    public WakeState() {
    }

    /** Loop thread: it is about to busy-poll. */
    public void spinning() {
        set(SPINNING);
    }

    /** Loop thread: it is running again (after a spin that found work, or after the backend returned). */
    public void awake() {
        set(AWAKE);
    }

    /**
     * Loop thread: publishes ASLEEP, then looks at {@code work} once more. Returns true if
     * the loop may block in its backend: every producer that queued work after this
     * check will see ASLEEP and wake it. Returns false (and the state is AWAKE again) if
     * work arrived meanwhile; the loop must then poll without blocking. A producer that
     * claimed the wake-up in between still writes the descriptor, which only makes the
     * next poll return at once.
     */
    public boolean trySleep(Work work) {
        set(ASLEEP);
        if (work.pending()) {
            set(AWAKE);
            return false;
        }
        return true;
    }

    /**
     * Producer, after queuing its work: true if the loop is ASLEEP and this call moved it
     * to AWAKE, so the caller must write the wake-up descriptor (once per sleep, however
     * many producers race). False while the loop runs or spins.
     */
    public boolean claimWakeup() {
        return get() == ASLEEP && compareAndSet(ASLEEP, AWAKE);
    }
}
