package io.weft.internal.backend.epoll;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.backend.fd.FdProvider;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The epoll backend: edge-triggered readiness on raw non-blocking fds, called through the
 * FFM API. Linux only; chosen when io_uring cannot be set up, or with
 * {@code -Dweft.backend=epoll}.
 */
public final class EpollProvider implements FdProvider {

    private EpollProvider() {
    }

    /**
     * Makes the provider if this machine can run it: Linux, libc reachable through FFM
     * (native access enabled), and epoll_create1 and eventfd allowed (a seccomp filter may
     * refuse them with EPERM).
     */
    public static EpollProvider probe() throws BackendUnavailableException {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new BackendUnavailableException("epoll is Linux only, this is " + os);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int ep = Libc.epollCreate1(cs, Libc.EPOLL_CLOEXEC);
            if (ep < 0) {
                throw refused("epoll_create1", ep);
            }
            Libc.close(cs, ep);
            int efd = Libc.eventfd(cs, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            if (efd < 0) {
                throw refused("eventfd", efd);
            }
            Libc.close(cs, efd);
        } catch (LinkageError | RuntimeException e) {
            // IllegalCallerException when native access is denied; a LinkageError when libc
            // lacks a symbol or the class could not initialise.
            throw new BackendUnavailableException("cannot call libc through FFM: " + e, e);
        }
        return new EpollProvider();
    }

    private static BackendUnavailableException refused(String call, int errno) {
        String why = errno == -Errno.EPERM ? " (a seccomp filter refuses it?)" : "";
        return new BackendUnavailableException(call + " failed: " + Errno.name(errno) + why,
                Errno.exception(errno, call, null));
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.POLL, Capability.FD_PASSING, Capability.UNIX_SOCKETS, Capability.DATAGRAMS, Capability.VSOCK);
    }

    @Override
    public Backend open(LoopContext loop) throws IOException {
        return new EpollBackend(loop);
    }

    @Override
    public SocketHandle openTcp(ProtocolFamily family, boolean listener) throws IOException {
        return FdSocket.openTcp(family, listener);
    }

    @Override
    public String toString() {
        return "epoll";
    }
}
