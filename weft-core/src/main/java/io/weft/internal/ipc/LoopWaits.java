package io.weft.internal.ipc;

import io.weft.internal.backend.Capability;
import io.weft.internal.backend.FutexWait;
import io.weft.internal.linux.Errno;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;

import java.util.concurrent.CancellationException;

/**
 * The loop operations that io.weft.ipc needs and no public API offers: a futex wait that
 * parks the calling task, not its loop. Exported to io.weft.ipc only.
 */
public final class LoopWaits {
    private LoopWaits() {
    }

    /** True if the caller is a task whose loop's backend waits on futexes natively ({@link Capability#FUTEX_WAIT}). */
    public static boolean futexWaitAvailable() {
        EventLoop loop = EventLoop.current();
        return loop != null && loop.provider().capabilities().contains(Capability.FUTEX_WAIT);
    }

    /**
     * Parks the calling task while the 32-bit word at {@code address} holds
     * {@code expected}, at most until {@code deadline} (System.nanoTime scale, or
     * Long.MAX_VALUE). The word must stay mapped until this returns.
     *
     * @param shared true for a word in memory shared with other processes (no FUTEX2_PRIVATE)
     * @return 0 if woken, {@code -EAGAIN} if the word held another value, {@code -ETIMEDOUT}
     *         if the deadline passed first, or another negative errno from the kernel
     * @throws CancellationException if the task was cancelled or the thread interrupted
     * @throws IllegalStateException if the caller is not a task on a loop with {@link Capability#FUTEX_WAIT}
     */
    public static long futexWait(long address, int expected, boolean shared, long deadline) {
        EventLoop loop = EventLoop.current();
        if (loop == null || !loop.provider().capabilities().contains(Capability.FUTEX_WAIT)) {
            throw new IllegalStateException("futex waits need a Weft task on a backend with " + Capability.FUTEX_WAIT.description()
                    + " (io_uring on Linux 6.7 or later)");
        }
        int early = Waits.reasonNotToStart(deadline);
        if (early == Op.CANCEL_TIMEOUT) {
            return -Errno.ETIMEDOUT;
        }
        if (early != 0) {
            throw new CancellationException(early == Op.CANCEL_INTERRUPT ? "interrupted while waiting on a futex" : "cancelled while waiting on a futex");
        }
        FutexWait op = new FutexWait(address, expected, shared);
        loop.submitAndAwait(op, deadline);
        long r = op.result();
        if (op.wasCancelled()) {
            return switch (op.cancelReason()) {
                case Op.CANCEL_TIMEOUT -> -Errno.ETIMEDOUT;
                case Op.CANCEL_INTERRUPT -> throw new CancellationException("interrupted while waiting on a futex");
                default -> throw new CancellationException("cancelled while waiting on a futex");
            };
        }
        return r;
    }
}
