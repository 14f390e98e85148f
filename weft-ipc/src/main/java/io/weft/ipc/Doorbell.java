package io.weft.ipc;

import io.weft.internal.linux.Libc;
import io.weft.net.OwnedFd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.util.function.BooleanSupplier;

/**
 * One side's doorbell in the ring header: a state word saying whether (and how) that side
 * sleeps, a futex word that the other side bumps to wake it, and a vow word by which that
 * side promises never to sleep. The consumer's bell is rung after a commit, the producers'
 * bell after the consumer frees space.
 */
/*
 * Overview
 *
 * state (int, header word; all accesses volatile or CAS):
 *
 *   AWAKE            nobody sleeps on this bell; ring() costs a fence and one load
 *   SLEEPING_FUTEX   a waiter sleeps on the futex word (futex syscall on a thread, or
 *                    IORING_OP_FUTEX_WAIT in a loop)
 *   SLEEPING_EVENTFD a waiter sleeps on its eventfd, which the ringer holds as eventFd
 *
 * word (int, header word, the futex word): a counter, bumped by every ring() that finds a
 * sleeper; a waiter sleeps only while it still holds the value read before it looked.
 *
 * vow (int, header word): 0, or NEVER_SLEEPS once the waiting side vowed (vowNeverToSleep)
 * that it will never arm this bell again. Set once, never cleared; arm() refuses after it.
 *
 * Waiter (arm() is steps 1 to 3, shared by every waiter; then sleep, awake()), a Dekker
 * pair with the ringer:
 *   1. seq = word (acquire)
 *   2. state = mode (volatile store), then a full fence
 *   3. re-check the ring; if ready: state CAS mode -> AWAKE, return
 *   4. sleep while word == seq (futex) / until the eventfd is readable
 *   5. state CAS mode -> AWAKE (the ringer may have done it), back to 3
 *
 * Ringer (after publishing a record or freeing space):
 *   0. if vow == NEVER_SLEEPS (opaque load, no fence): return
 *   1. full fence (orders the publish before the load of state)
 *   2. s = state (volatile); if AWAKE: return
 *   3. if state CAS s -> AWAKE: word += 1 (volatile), futex_wake(word, all); for
 *      SLEEPING_EVENTFD also write 1 to the eventfd
 *
 * Why no wake-up is lost: the waiter stores state then loads the ring; the ringer stores
 * the ring then loads state; with a full fence between each pair, at least one sees the
 * other. If the ringer sees the sleeper, it bumps word after the waiter read seq, so a
 * futex wait that starts late returns EAGAIN at once, and an eventfd keeps its count.
 *
 * Why step 0 may skip the fence: the fence orders the publish before the load of state so
 * that a sleeper armed meanwhile is seen. A vow is made while the side is awake (the
 * state is AWAKE, checked) and no arm() follows it, so once any ringer reads the vow
 * there is no sleeper, now or later, whatever order its loads and stores took. A ringer
 * that reads a stale 0 takes the fenced path, which is correct on its own. So a side
 * that only spins (busy-spin, yield, backoff: the vowing side's choice) costs its peer
 * no fence per publish. The vow is one-way on purpose; see Rejected.
 *
 * Rejected: waking on every publish (a syscall per record) and a plain flag without
 * the fences (the store-load reordering that x86 allows loses wake-ups).
 *
 * Rejected: a "may sleep" flag that a side sets before each sleep and clears while it
 * spins, read by the ringer without a fence. The ringer's load of that flag can pass its
 * own publish, still in its store buffer, exactly as the load of state would; the waiter
 * then misses the record and the ringer misses the flag. Nothing the waiter does in user
 * space can drain another core's store buffer: a correct two-way scheme needs an
 * asymmetric barrier from the kernel (membarrier(2) MEMBARRIER_CMD_GLOBAL_EXPEDITED,
 * which both processes must register for, issued by the waiter before it sleeps), and in
 * Java also a compiler-only store-load barrier on the ringer's side, which the Java
 * memory model does not offer (VarHandle's acquire and release fences do not order a
 * store before a later load). A one-way vow needs neither.
 *
 * The futex word lives in memory shared between processes, so FUTEX_PRIVATE_FLAG (and
 * FUTEX2_PRIVATE for the io_uring op) must not be used: private futexes key on the
 * process's mm and would never meet the other process's wake.
 */
final class Doorbell {

    static final int AWAKE = 0;
    static final int SLEEPING_FUTEX = 1;
    static final int SLEEPING_EVENTFD = 2;

    /** The vow word's value once the waiting side vowed never to sleep on this bell. */
    static final int NEVER_SLEEPS = 1;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment header;
    private final long stateOffset;
    private final long wordOffset;
    private final long vowOffset;
    /**
     * This bell's eventfd as this process holds it (made here, or received over the
     * handshake socket), or null: a waiter here sleeps on it, a ringer here writes it.
     * Written at setup, read by waiters and ringers; volatile for safe publication.
     */
    private volatile OwnedFd eventFd;

    Doorbell(MemorySegment header, long offset) {
        this.header = header;
        this.stateOffset = offset;
        this.wordOffset = offset + 4;
        this.vowOffset = offset + 8;
    }

    /**
     * The waiting side's vow never to arm this bell again: ringers then skip their fence.
     * Irreversible. Call while this side does not wait on the bell.
     *
     * @throws IllegalStateException if a waiter is armed on the bell now
     */
    void vowNeverToSleep(String side) {
        if ((int) INT.getVolatile(header, stateOffset) != AWAKE) {
            throw new IllegalStateException("the " + side + " of this ring is waiting on its doorbell now: "
                    + "vow never to sleep before waiting, or between waits");
        }
        INT.setVolatile(header, vowOffset, NEVER_SLEEPS);
    }

    /** True once the waiting side vowed never to sleep on this bell. */
    boolean vowed() {
        return (int) INT.getOpaque(header, vowOffset) == NEVER_SLEEPS;
    }

    void eventFd(OwnedFd fd) {
        this.eventFd = fd;
    }

    OwnedFd eventFd() {
        return eventFd;
    }

    /** Address of the futex word, for futex(2) and IORING_OP_FUTEX_WAIT. */
    long wordAddress() {
        return header.address() + wordOffset;
    }

    /** What {@link #arm} returns when the re-check found the ring ready; no futex word value is this. */
    static final long READY = Long.MIN_VALUE;

    /**
     * Waiter steps 1 to 3, the half of the Dekker pair that every waiter (thread or task,
     * futex or eventfd) runs: says this side sleeps in {@code mode}, then looks at the ring.
     *
     * @return {@link #READY} if {@code ready} said so (the state is AWAKE again); else the
     *         futex word value to sleep on, with the state left at {@code mode}: the caller
     *         sleeps (step 4), then calls {@link #awake}
     */
    long arm(int mode, BooleanSupplier ready) {
        if (vowed()) {
            throw new IllegalStateException("this side of the ring vowed never to sleep on it (neverSleeps), so nobody would wake it: "
                    + "wait with busy-spin, yield or backoff, or use a ring without the vow");
        }
        int seq = (int) INT.getAcquire(header, wordOffset);
        INT.setVolatile(header, stateOffset, mode);
        VarHandle.fullFence();
        boolean sleeping = false;
        try {
            if (ready.getAsBoolean()) {
                return READY;
            }
            sleeping = true;
            return seq;
        } finally {
            if (!sleeping) {
                awake(mode);
            }
        }
    }

    /** Waiter step 5. */
    void awake(int mode) {
        INT.compareAndSet(header, stateOffset, mode, AWAKE);
    }

    /**
     * Ringer: wakes the other side if, and only if, it said it sleeps. Any thread. Costs a
     * load only when the other side vowed never to sleep; else a full fence and a load.
     *
     * @return true if this call found a sleeper and woke it
     */
    boolean ring() {
        if (vowed()) {
            return false;
        }
        VarHandle.fullFence();
        int s = (int) INT.getVolatile(header, stateOffset);
        return s != AWAKE && wake(s);
    }

    private boolean wake(int s) {
        if (!INT.compareAndSet(header, stateOffset, s, AWAKE)) {
            return false;
        }
        INT.getAndAdd(header, wordOffset, 1);
        Syscalls.futexWake(wordAddress());
        OwnedFd fd = eventFd;
        if (s == SLEEPING_EVENTFD && fd != null) {
            try {
                Libc.eventfdSignal(fd.fd());
            } catch (ClosedChannelException e) {
                // the ring is being torn down here; nobody is left to wake
            }
        }
        return true;
    }

    /** Waiter step 4 on a plain thread: futex(FUTEX_WAIT) for at most {@code nanos}. */
    static int futexSleep(Doorbell bell, int seq, long nanos) {
        return Syscalls.futexWait(bell.wordAddress(), seq, nanos);
    }
}
