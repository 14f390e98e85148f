package io.weft.internal.backend;

import io.weft.internal.backend.fd.FdSocket;

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

    /** Opens an unbound, non-blocking TCP socket; a listener if {@code listener}. Any thread. */
    SocketHandle openTcp(ProtocolFamily family, boolean listener) throws IOException;

    /**
     * Opens a socket that {@link MsgOps} and the stream ops run on: Unix-domain, UDP or
     * vsock ({@code socket(domain, type, 0)}, non-blocking, close-on-exec). Any thread.
     * Only backends over raw descriptors can; the others say which backend to use.
     *
     * @param needs the capability the caller needs ({@link Capability#UNIX_SOCKETS}, ...),
     *              named in the refusal
     * @throws UnsupportedOperationException if this backend lacks {@code needs}
     */
    default FdSocket openSocket(Capability needs, int domain, int type, boolean listener) throws IOException {
        throw unsupported(needs);
    }

    /**
     * Takes ownership of an open socket descriptor (from socketpair, or received over a
     * Unix socket) so ops can run on it.
     *
     * @throws UnsupportedOperationException if this backend lacks {@code needs}
     */
    default FdSocket adoptSocket(Capability needs, int fd, int domain) throws IOException {
        throw unsupported(needs);
    }

    /** The refusal of a backend that lacks {@code needs}: names it and the backends that have it. */
    default UnsupportedOperationException unsupported(Capability needs) {
        return new UnsupportedOperationException("the " + name() + " backend cannot do " + needs.description()
                + " (capability " + needs + "); run with -Dweft.backend=io_uring or epoll, or Runtime.builder().backend(\"epoll\")");
    }
}
