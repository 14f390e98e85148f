package io.weft.internal.backend;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;

/** The socket ops of the backend SPI. Results follow the syscalls: a count, or a negative errno. */
public final class NetOps {
    private NetOps() {
    }

    /** Accepts one connection; completes with 0 and the accepted {@link SocketHandle} as attachment. */
    public static final class Accept extends IoOp {
        public Accept(SocketHandle listener) {
            super(listener);
        }
    }

    /**
     * Connects; completes with 0 once connected. {@code remote} is an
     * {@link java.net.InetSocketAddress}, or for Unix and vsock sockets an
     * {@link io.weft.internal.linux.EncodedSockAddr}.
     */
    public static final class Connect extends IoOp {
        public final SocketAddress remote;

        public Connect(SocketHandle socket, SocketAddress remote) {
            super(socket);
            this.remote = remote;
        }
    }

    /**
     * Reads into {@code buffer} (heap or native, never empty); completes with the byte
     * count, 0 at end of stream.
     */
    public static final class Read extends IoOp {
        public final MemorySegment buffer;

        public Read(SocketHandle socket, MemorySegment buffer) {
            super(socket);
            this.buffer = buffer;
        }
    }

    /** Writes from {@code buffer} (never empty); completes with the count written (at least 1). */
    public static final class Write extends IoOp {
        public final MemorySegment buffer;

        public Write(SocketHandle socket, MemorySegment buffer) {
            super(socket);
            this.buffer = buffer;
        }
    }

    /** Readiness bits for {@link Poll}. */
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;

    /** Waits until the socket is ready; completes with the ready bits ({@link #POLLIN}, {@link #POLLOUT}). */
    public static final class Poll extends IoOp {
        public final int events;

        public Poll(SocketHandle socket, int events) {
            super(socket);
            this.events = events;
        }
    }
}
