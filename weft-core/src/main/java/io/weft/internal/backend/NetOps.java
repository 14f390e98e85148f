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
     * {@link io.weft.internal.linux.EncodedSockAddr}: the constructor turns a
     * {@link UnixName} or {@link VsockName} into that kernel form ({@link SocketNames}).
     */
    public static final class Connect extends IoOp {
        public final SocketAddress remote;

        public Connect(SocketHandle socket, SocketAddress remote) {
            super(socket);
            this.remote = SocketNames.kernelForm(remote);
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

    /**
     * Reads into {@code buffers} in order (readv); completes with the byte count, 0 at end
     * of stream. 1 to {@link Vectored#MAX_SEGMENTS} segments, none empty.
     */
    public static final class ReadV extends IoOp {
        public final MemorySegment[] buffers;

        public ReadV(SocketHandle socket, MemorySegment[] buffers) {
            super(socket);
            this.buffers = checked(buffers);
        }
    }

    /**
     * Writes from {@code buffers} in order (writev); completes with the count written (at
     * least 1). 1 to {@link Vectored#MAX_SEGMENTS} segments, none empty.
     */
    public static final class WriteV extends IoOp {
        public final MemorySegment[] buffers;

        public WriteV(SocketHandle socket, MemorySegment[] buffers) {
            super(socket);
            this.buffers = checked(buffers);
        }
    }

    private static MemorySegment[] checked(MemorySegment[] buffers) {
        if (buffers.length == 0 || buffers.length > Vectored.MAX_SEGMENTS) {
            throw new IllegalArgumentException(buffers.length + " segments; 1 to " + Vectored.MAX_SEGMENTS);
        }
        for (MemorySegment b : buffers) {
            if (b.byteSize() == 0) {
                throw new IllegalArgumentException("empty segment");
            }
        }
        return buffers;
    }

    /** Shuts down one or both directions ({@link #SHUT_RD}, {@link #SHUT_WR}); completes with 0. */
    public static final class Shutdown extends IoOp {
        public final int how;

        public Shutdown(SocketHandle socket, int how) {
            super(socket);
            this.how = how;
        }
    }

    /** {@link Shutdown} directions, as shutdown(2) numbers them. */
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;

    /** Readiness bits for {@link Poll}. */
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;

    /**
     * Waits until the socket is ready; completes with the ready bits ({@link #POLLIN},
     * {@link #POLLOUT}). Not final: a subclass may forward the outcome with {@link #afterDone()}.
     */
    public static non-sealed class Poll extends IoOp {
        public final int events;

        public Poll(SocketHandle socket, int events) {
            super(socket);
            this.events = events;
        }
    }
}
