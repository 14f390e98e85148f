package io.weft.ipc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of an RPC connection; the server's decide the rings, and each side applies its
 * own limits to what it receives.
 *
 * @param ringCapacity       bytes of each ring's data region (a power of two); a record
 *                           carries up to 1/8 of it, longer messages are fragmented. The
 *                           server reserves both rings' memory when a client connects.
 * @param directory          not used any more: the rings are sealed memory files (memfd)
 *                           passed over the socket, with no name in any directory; kept so
 *                           that code written for earlier versions still compiles
 * @param handshakeTimeout   how long connecting and the handshake may take
 * @param maxMessageLength   the longest request or response either side accepts
 * @param maxPartialBytes    the most memory one connection's messages may take while their
 *                           fragments are still arriving (buffers grow as fragments come,
 *                           never to a length a frame merely announces); a peer that goes
 *                           past it loses its connection. An honest peer sends one message
 *                           at a time, so this needs to be at least {@code maxMessageLength}
 * @param maxCallsInProgress on a server, the most calls of one connection whose handlers
 *                           run at once; past it the server reads no more requests from that
 *                           connection until one ends, so a client that sends without
 *                           reading its responses is slowed down, and never makes the server
 *                           start tasks without bound
 * @param waitStrategy       how this side waits on its rings: its reader for requests or
 *                           responses, its senders for room. RPC waits inside Weft tasks,
 *                           so only the strategies that {@link WaitStrategy#runsInTasks() run
 *                           in tasks} are accepted: {@link WaitStrategy#notifying()} (the
 *                           default; sleeps until rung) and {@link WaitStrategy#hybrid(Duration)}
 *                           (polls for a while first, yielding to the loop's other tasks:
 *                           lower latency while calls keep coming, at the cost of that
 *                           polling). Each side uses its own: the server's options do
 *                           not choose the client's
 */
public record RpcOptions(int ringCapacity, Path directory, Duration handshakeTimeout, int maxMessageLength,
                         long maxPartialBytes, int maxCallsInProgress, WaitStrategy waitStrategy) {

    /** Calls in progress per connection by default. */
    public static final int DEFAULT_MAX_CALLS_IN_PROGRESS = 1024;

    public RpcOptions {
        if (maxMessageLength < 0) {
            throw new IllegalArgumentException("maxMessageLength must be >= 0: " + maxMessageLength);
        }
        if (maxPartialBytes < 1) {
            throw new IllegalArgumentException("maxPartialBytes must be >= 1: " + maxPartialBytes);
        }
        if (maxCallsInProgress < 1) {
            throw new IllegalArgumentException("maxCallsInProgress must be >= 1: " + maxCallsInProgress);
        }
        if (waitStrategy == null) {
            throw new IllegalArgumentException("waitStrategy must not be null (WaitStrategy.notifying() is the default)");
        }
        if (!waitStrategy.runsInTasks()) {
            throw new IllegalArgumentException("RPC waits inside Weft tasks, where the " + waitStrategy.name()
                    + " wait strategy would hold the loop: use WaitStrategy.notifying() or WaitStrategy.hybrid(spin)");
        }
    }

    /** The settings of earlier versions, with the {@link WaitStrategy#notifying() notify} wait strategy. */
    public RpcOptions(int ringCapacity, Path directory, Duration handshakeTimeout, int maxMessageLength,
                      long maxPartialBytes, int maxCallsInProgress) {
        this(ringCapacity, directory, handshakeTimeout, maxMessageLength, maxPartialBytes, maxCallsInProgress, WaitStrategy.notifying());
    }

    /**
     * The settings of earlier versions, with {@code maxPartialBytes = maxMessageLength} and
     * {@link #DEFAULT_MAX_CALLS_IN_PROGRESS} calls in progress.
     */
    public RpcOptions(int ringCapacity, Path directory, Duration handshakeTimeout, int maxMessageLength) {
        this(ringCapacity, directory, handshakeTimeout, maxMessageLength, Math.max(1, maxMessageLength), DEFAULT_MAX_CALLS_IN_PROGRESS);
    }

    /**
     * 1 MiB rings, 10 s handshakes, messages up to 64 MiB, 64 MiB of partial messages and
     * 1024 calls in progress per connection, the notify wait strategy.
     */
    public static RpcOptions defaults() {
        return new RpcOptions(1 << 20, Path.of("/dev/shm"), Duration.ofSeconds(10), 64 << 20);
    }

    public RpcOptions withRingCapacity(int capacity) {
        return new RpcOptions(capacity, directory, handshakeTimeout, maxMessageLength, maxPartialBytes, maxCallsInProgress, waitStrategy);
    }

    /** Has no effect any more (see {@link #directory()}). */
    public RpcOptions withDirectory(Path dir) {
        return new RpcOptions(ringCapacity, dir, handshakeTimeout, maxMessageLength, maxPartialBytes, maxCallsInProgress, waitStrategy);
    }

    public RpcOptions withMaxMessageLength(int length) {
        return new RpcOptions(ringCapacity, directory, handshakeTimeout, length, maxPartialBytes, maxCallsInProgress, waitStrategy);
    }

    public RpcOptions withMaxPartialBytes(long bytes) {
        return new RpcOptions(ringCapacity, directory, handshakeTimeout, maxMessageLength, bytes, maxCallsInProgress, waitStrategy);
    }

    public RpcOptions withMaxCallsInProgress(int calls) {
        return new RpcOptions(ringCapacity, directory, handshakeTimeout, maxMessageLength, maxPartialBytes, calls, waitStrategy);
    }

    /**
     * With {@code strategy} for this side's waits.
     *
     * @throws IllegalArgumentException unless the strategy runs in tasks (notify or hybrid)
     */
    public RpcOptions withWaitStrategy(WaitStrategy strategy) {
        return new RpcOptions(ringCapacity, directory, handshakeTimeout, maxMessageLength, maxPartialBytes, maxCallsInProgress, strategy);
    }
}
