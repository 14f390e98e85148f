package io.weft.internal.backend.uring;

import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How other threads wake a {@link UringBackend} that waits in io_uring_enter: an eventfd
 * whose POLL_ADD(POLLIN) the backend keeps armed in its ring. {@link #wakeup()} is for any
 * thread; the rest for the loop thread.
 */
/*
 * Overview
 *
 * wakeup() writes the eventfd at most once per armed poll (see `wake`). Rejected:
 * IORING_OP_MSG_RING, which needs a ring on the waking side, and most wakers (timers'
 * callers, plain threads) have none. Rejected: an eventfd READ op, because an O_NONBLOCK
 * eventfd without FMODE_NOWAIT support completes such a read with -EAGAIN at once.
 *
 * The wake-up word, changed only by CAS and getAndAdd/getAndBitwise* (volatile):
 *
 *   bits                 meaning
 *   -------------------  --------------------------------------------------------
 *   0                    idle: the next wakeup() writes the eventfd
 *   PENDING              a write was made (or is being made) and the loop has not
 *                        yet reaped the eventfd poll it fires; wakeup() is a no-op,
 *                        since the loop is already due to return from its wait
 *   + n * WRITER         n wakers are inside write(2) on the eventfd
 *   CLOSED               the backend is closing: wakeup() is a no-op, and close()
 *                        waits for the WRITER count to drain before it closes the
 *                        eventfd, so a late write never hits a reused fd number
 *
 * wakeup() CASes a word without PENDING or CLOSED to one with PENDING and one more
 * WRITER, writes, then subtracts WRITER. When the loop reaps the eventfd's poll it
 * first drains the counter (the one write of this cycle), then clears PENDING
 * (getAndBitwiseAnd), then re-arms the poll; all before poll() returns to run tasks. A
 * waker that saw PENDING made its task visible before that read, and the read precedes
 * the loop's clear in the synchronization order, so the loop's run of its queue after
 * poll() sees the task. A waker after the clear writes afresh, and the re-armed poll
 * fires at the next enter.
 */
final class UringWaker {

    /** The user_data of the eventfd's POLL_ADD. */
    static final long USER_DATA = SlotTable.userData(SlotTable.KIND_WAKE, 0, 0);

    private static final int WAKE_PENDING = 1;
    private static final int WAKE_CLOSED = 2;
    private static final int WAKE_WRITER = 4;
    private static final VarHandle WAKE;

    static {
        try {
            WAKE = MethodHandles.lookup().findVarHandle(UringWaker.class, "wake", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See the overview. */
    @SuppressWarnings("unused")
    private volatile int wake;

    private final int fd;
    /** The loop thread's call-state slot for libc calls. */
    private final MemorySegment cs;
    private final MemorySegment drained;
    // Loop thread only.
    private boolean armed;

    /**
     * @param arena where the drain buffer lives; it must outlive this waker
     * @param cs    the loop thread's call-state slot
     */
    UringWaker(Arena arena, MemorySegment cs) throws IOException {
        int efd = Libc.eventfd(cs, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (efd < 0) {
            throw Errno.exception(efd, "eventfd", null);
        }
        this.fd = efd;
        this.cs = cs;
        this.drained = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /** Makes the loop's wait return, or its next one not wait. Any thread. */
    void wakeup() {
        for (;;) {
            int w = (int) WAKE.getVolatile(this);
            if ((w & (WAKE_PENDING | WAKE_CLOSED)) != 0) {
                return;
            }
            if (WAKE.compareAndSet(this, w, (w | WAKE_PENDING) + WAKE_WRITER)) {
                break;
            }
        }
        Libc.eventfdSignal(fd);
        WAKE.getAndAdd(this, -WAKE_WRITER);
    }

    /** True while the eventfd's POLL_ADD is in the ring. */
    boolean armed() {
        return armed;
    }

    /** Writes the eventfd's POLL_ADD at {@code sqe}. */
    void prepArm(MemorySegment sqes, long sqe) {
        SqeLayout.prep(sqes, sqe, UringAbi.OP_POLL_ADD, fd, 0, 0, 0, USER_DATA);
        SqeLayout.opFlags(sqes, sqe, UringAbi.POLLIN);
        armed = true;
    }

    /** Takes the POLL_ADD's CQE; the caller re-arms. */
    void onFired(int res) {
        armed = false;
        if (res > 0) {
            // Drain before clearing PENDING: while PENDING is set no other waker writes, so
            // this read takes exactly the one write that fired the poll. Clearing first
            // would let a new waker write, have its count drained here, and leave PENDING
            // set with nothing to fire the next poll: every later wakeup() would be lost.
            Libc.read(cs, fd, drained);
        }
        WAKE.getAndBitwiseAnd(this, ~WAKE_PENDING); // see `wake`
    }

    /** Turns later wakeup() calls into no-ops; the first step of closing the backend. */
    void shutDown() {
        WAKE.getAndBitwiseOr(this, WAKE_CLOSED);
    }

    /** Closes the eventfd once no waker is inside write(2) on it. After {@link #shutDown()}. */
    void close() {
        while (((int) WAKE.getVolatile(this) & ~(WAKE_PENDING | WAKE_CLOSED)) != 0) {
            Thread.onSpinWait(); // a waker is inside write(2) on the eventfd
        }
        Libc.close(cs, fd);
    }
}
