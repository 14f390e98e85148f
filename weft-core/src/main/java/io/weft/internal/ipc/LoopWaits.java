package io.weft.internal.ipc;

import io.weft.internal.backend.Capability;
import io.weft.internal.backend.FutexWait;
import io.weft.internal.linux.Errno;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

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
        EventLoop loop = Failures.inTask(EventLoop.current(), "LoopWaits.futexWait");
        if (!loop.provider().capabilities().contains(Capability.FUTEX_WAIT)) {
            throw new IllegalStateException("futex waits need a backend with " + Capability.FUTEX_WAIT.description()
                    + " (io_uring on Linux 6.7 or later), not " + loop.provider().name());
        }
        int early = Waits.reasonNotToStart(deadline);
        if (early != 0) {
            return timedOutOrThrow(early);
        }
        FutexWait op = new FutexWait(address, expected, shared);
        loop.submitAndAwait(op, deadline);
        return op.wasCancelled() ? timedOutOrThrow(op.cancelReason()) : op.result();
    }

    /**
     * A futex wait reports its deadline as the kernel's does, {@code -ETIMEDOUT}, for the
     * caller to retry or give up; any other cancel is thrown as {@link Failures} says.
     */
    private static long timedOutOrThrow(int reason) {
        if (reason == Op.CANCEL_TIMEOUT) {
            return -Errno.ETIMEDOUT;
        }
        throw Failures.cancelled(reason, "futex wait");
    }
}
