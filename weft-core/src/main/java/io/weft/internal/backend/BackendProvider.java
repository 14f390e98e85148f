package io.weft.internal.backend;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.util.Set;

/**
 * A kind of backend, shared by all loops of a runtime: makes one {@link Backend} per loop
 * and the sockets its ops run on.
 */
public interface BackendProvider {

    /** {@code io_uring}, {@code epoll} or {@code nio}. */
    String name();

    Set<Capability> capabilities();

    /** Makes the backend of one loop. */
    Backend open(LoopContext loop) throws IOException;

    /**
     * Opens an unbound, non-blocking TCP socket; a listener if {@code listener}. A listener
     * gets SO_REUSEADDR; {@code family} null means INET6 where the kernel has it. Any thread.
     */
    SocketHandle openTcp(ProtocolFamily family, boolean listener) throws IOException;

    /**
     * Opens a socket that {@link MsgOps} and the stream ops run on: Unix-domain, UDP or
     * vsock (non-blocking, close-on-exec; an INET6 one dual-stack). Any thread. Only
     * backends over raw descriptors can; the others say which backend to use.
     *
     * @param needs    the capability the caller needs ({@link Capability#UNIX_SOCKETS}, ...),
     *                 named in the refusal
     * @param datagram SOCK_DGRAM if true, else SOCK_STREAM
     * @param listener true if {@link SocketHandle#bind} should also listen
     * @throws UnsupportedOperationException if this backend lacks {@code needs}
     */
    default SocketHandle openSocket(Capability needs, SocketFamily family, boolean datagram, boolean listener)
            throws IOException {
        throw unsupported(needs);
    }

    /**
     * Opens a connected pair of unnamed Unix-domain sockets (socketpair(2)), non-blocking
     * and close-on-exec. Any thread.
     *
     * @throws UnsupportedOperationException if this backend lacks {@code needs}
     */
    default SocketHandle[] openPair(Capability needs, boolean datagram) throws IOException {
        throw unsupported(needs);
    }

    /**
     * Takes ownership of an open socket descriptor of {@code family} (received over a Unix
     * socket, or a duplicate to poll) so ops can run on it; makes it non-blocking. On
     * failure the descriptor is left to the caller.
     *
     * @throws UnsupportedOperationException if this backend lacks {@code needs}
     */
    default SocketHandle adoptSocket(Capability needs, int fd, SocketFamily family) throws IOException {
        throw unsupported(needs);
    }

    /** The refusal of a backend that lacks {@code needs}: names it and the backends that have it. */
    default UnsupportedOperationException unsupported(Capability needs) {
        return new UnsupportedOperationException("the " + name() + " backend cannot do " + needs.description()
                + " (capability " + needs + "); run with -Dweft.backend=io_uring or epoll, or Runtime.builder().backend(\"epoll\")");
    }
}
