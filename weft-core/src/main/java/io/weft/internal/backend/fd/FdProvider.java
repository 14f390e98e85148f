package io.weft.internal.backend.fd;

import io.weft.internal.backend.BackendProvider;
import io.weft.internal.backend.Capability;

import java.io.IOException;

/**
 * A provider whose sockets are raw descriptors ({@link FdSocket}): epoll and io_uring.
 * They open and adopt Unix, UDP and vsock sockets the same way, so that lives here once.
 */
public interface FdProvider extends BackendProvider {

    @Override
    default FdSocket openSocket(Capability needs, int domain, int type, boolean listener) throws IOException {
        return FdSocket.open(domain, type, listener);
    }

    @Override
    default FdSocket adoptSocket(Capability needs, int fd, int domain) throws IOException {
        return FdSocket.adopt(fd, domain);
    }
}
