package io.weft.ipc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of an RPC connection; the server's apply (it makes the rings).
 *
 * @param ringCapacity     bytes of each ring's data region (a power of two); a record
 *                         carries up to 1/8 of it, longer messages are fragmented
 * @param directory        where the ring files are made (and unlinked once both sides mapped them)
 * @param handshakeTimeout how long connecting and the handshake may take
 * @param maxMessageLength the longest request or response either side accepts
 */
public record RpcOptions(int ringCapacity, Path directory, Duration handshakeTimeout, int maxMessageLength) {

    /** 1 MiB rings in /dev/shm, 10 s handshakes, messages up to 64 MiB. */
    public static RpcOptions defaults() {
        return new RpcOptions(1 << 20, Path.of("/dev/shm"), Duration.ofSeconds(10), 64 << 20);
    }

    public RpcOptions withRingCapacity(int capacity) {
        return new RpcOptions(capacity, directory, handshakeTimeout, maxMessageLength);
    }

    public RpcOptions withDirectory(Path dir) {
        return new RpcOptions(ringCapacity, dir, handshakeTimeout, maxMessageLength);
    }
}
