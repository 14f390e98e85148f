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

    /** Opens an unbound, non-blocking TCP socket; a listener if {@code listener}. Any thread. */
    SocketHandle openTcp(ProtocolFamily family, boolean listener) throws IOException;
}
