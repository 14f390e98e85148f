package io.weft.ipc;

import io.weft.net.OwnedFd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * For the doorbell's jcstress tests: what a waiter that {@link Doorbell#arm armed} a bell
 * would find when it went to sleep, and the ringing side's view.
 */
final class Sleepers {
    private Sleepers() {
    }

    /** The futex word of the bell at {@code bellOffset} in the ring header. */
    static int word(ShmRing ring, long bellOffset) {
        return ring.header.get(ValueLayout.JAVA_INT, bellOffset + 4);
    }

    /**
     * Whether a futex sleep on {@code seq} would return at once: FUTEX_WAIT and
     * IORING_OP_FUTEX_WAIT sleep only while the word still holds the value the waiter read.
     */
    static int futexSleepEnds(ShmRing ring, long bellOffset, long seq) {
        return word(ring, bellOffset) != (int) seq ? 1 : 0;
    }

    /** Whether a sleep on the eventfd would end at once (it has a count); drains it. */
    static int eventFdSleepEnds(OwnedFd fd) {
        try {
            return fd.read(ByteBuffer.allocate(8)) == 8 ? 1 : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OwnedFd eventFd() {
        try {
            return OwnedFd.eventfd(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void close(OwnedFd fd) {
        try {
            fd.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
