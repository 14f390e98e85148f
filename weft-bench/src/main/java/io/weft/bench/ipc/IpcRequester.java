package io.weft.bench.ipc;

import java.io.IOException;

/**
 * The requester's end of one contender: it sends requests of the agreed size and takes the
 * responses, which come back in order with the bytes unchanged. Each message starts with
 * its sequence number ({@link IpcOptions#MIN_SIZE} bytes), which the harness checks.
 * One thread only.
 */
interface IpcRequester extends AutoCloseable {

    /** How long a requester waits for a response, or for room to send, before it gives up. */
    long STALL_NANOS = 10_000_000_000L;

    /** Queues request {@code seq}, waiting (in the contender's own way) while there is no room. */
    void send(long seq) throws IOException;

    /** Waits for the next response and returns its sequence number. */
    long receive() throws IOException;

    /** The most requests this contender can have outstanding (the harness asks for no more). */
    default int maxWindow() {
        return Integer.MAX_VALUE;
    }

    /** What the results should record about how it ran; empty if nothing. */
    default String info() {
        return "";
    }

    @Override
    void close() throws IOException;

    /** The bytes of every request: {@code size} bytes of a fixed pattern, where the sequence number overwrites the first eight. */
    static byte[] template(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
