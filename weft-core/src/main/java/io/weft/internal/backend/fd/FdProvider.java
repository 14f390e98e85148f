package io.weft.internal.backend.fd;

import io.weft.internal.backend.BackendProvider;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.SocketFamily;

import java.io.IOException;

/**
 * A provider whose sockets are raw descriptors ({@link FdSocket}): epoll and io_uring.
 * They open, pair and adopt Unix, UDP and vsock sockets the same way, so that lives here once.
 */
public interface FdProvider extends BackendProvider {

    @Override
    default FdSocket openSocket(Capability needs, SocketFamily family, boolean datagram, boolean listener)
            throws IOException {
        return FdSocket.open(family, datagram, listener);
    }

    @Override
    default FdSocket[] openPair(Capability needs, boolean datagram) throws IOException {
        return FdSocket.pair(datagram);
    }

    @Override
    default FdSocket adoptSocket(Capability needs, int fd, SocketFamily family) throws IOException {
        return FdSocket.adopt(fd, family);
    }
}
