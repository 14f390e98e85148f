package io.weft.ipc;

import io.weft.Deadline;
import io.weft.internal.ipc.LoopWaits;
import io.weft.internal.linux.Errno;
import io.weft.net.OwnedFd;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * The notifying wait inside a Weft task: sleeps on the doorbell through a loop operation,
 * so the loop keeps running other tasks meanwhile. Where the loop's backend waits on
 * futexes (io_uring, Linux 6.7+) the futex word itself is waited on
 * (IORING_OP_FUTEX_WAIT, shared); elsewhere the bell's eventfd, which both processes
 * must hold ({@link ShmRing#useEventFds}), is polled for readability.
 */
/*
 * Overview
 *
 * Doorbell's waiter protocol, with step 4 as a loop operation:
 *
 *   futex    LoopWaits.futexWait(word, seq): 0 woken, -EAGAIN word moved on, -ETIMEDOUT
 *   eventfd  OwnedFd.awaitReadable(deadline), then drain the count (non-blocking read) so
 *            that the next sleep waits for a new ring
 *
 * A stale eventfd count (a ring that came after the waiter had already found the ring
 * ready) costs one extra turn round the loop, never a lost wake-up.
 */
final class TaskDoorbellWait {

    private TaskDoorbellWait() {
    }

    static boolean await(BooleanSupplier ready, Doorbell bell, Deadline deadline) throws IOException {
        boolean futex = LoopWaits.futexWaitAvailable();
        OwnedFd efd = bell.eventFd();
        if (!futex && efd == null) {
            throw new IllegalStateException("the notify wait strategy in a task needs io_uring with futex waits (Linux 6.7+), "
                    + "or an eventfd doorbell set with ShmRing.useEventFds (RpcServer and RpcClient set one up); neither is here");
        }
        int mode = futex ? Doorbell.SLEEPING_FUTEX : Doorbell.SLEEPING_EVENTFD;
        ByteBuffer count = futex ? null : ByteBuffer.allocate(8);
        while (true) {
            long seq = bell.arm(mode, ready);
            if (seq == Doorbell.READY) {
                return true;
            }
            try {
                if (deadline.hasPassed()) {
                    return false;
                }
                if (futex) {
                    long r = LoopWaits.futexWait(bell.wordAddress(), (int) seq, true, deadline.nanoTime());
                    if (r < 0 && r != -Errno.EAGAIN && r != -Errno.ETIMEDOUT && r != -Errno.EINTR) {
                        throw Errno.exception((int) -r, "IORING_OP_FUTEX_WAIT", "the doorbell of a ring");
                    }
                } else {
                    try {
                        efd.awaitReadable(deadline);
                    } catch (SocketTimeoutException e) {
                        continue; // the next turn sees the deadline passed, after one more look
                    }
                    count.clear();
                    efd.read(count);
                }
            } finally {
                bell.awake(mode);
            }
        }
    }
}
