package io.weft.internal.backend.uring;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.backend.fd.FdProvider;
import io.weft.internal.backend.fd.FdSocket;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The io_uring backend, Weft's default on Linux: ops run as SQEs on one ring per loop,
 * through FFM, without liburing or JNI. Sockets are raw fds ({@link FdSocket}), shared
 * with the epoll backend.
 *
 * <p>Making a provider probes the kernel once (see {@link UringProbe}); if no ring can be
 * set up, the constructor throws with the reason, and {@code auto} moves on to epoll.
 */
public final class UringProvider implements FdProvider {

    private final UringProbe.Support support;
    private final UringBackend.Config config;
    private final Set<Capability> capabilities;

    /** Probes the kernel. */
    public UringProvider() throws BackendUnavailableException {
        this(UringProbe.probe(), UringBackend.Config.DEFAULT);
    }

    UringProvider(UringProbe.Support support, UringBackend.Config config) {
        this.support = support;
        this.config = config;
        EnumSet<Capability> caps = EnumSet.of(Capability.POLL, Capability.FD_PASSING, Capability.UNIX_SOCKETS,
                Capability.DATAGRAMS, Capability.VSOCK);
        if (support.linkTimeout()) {
            caps.add(Capability.NATIVE_DEADLINES);
        }
        // -Dweft.uring.futexWait=false: act as a kernel before 6.7, to try what replaces the op
        if (support.supports(UringAbi.OP_FUTEX_WAIT) && !"false".equals(System.getProperty("weft.uring.futexWait"))) {
            caps.add(Capability.FUTEX_WAIT);
        }
        if (support.fileIo()) {
            caps.add(Capability.NATIVE_FILE_IO);
        }
        this.capabilities = Collections.unmodifiableSet(caps);
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** Makes the loop's ring; best called on the loop thread (it is enabled there either way). */
    @Override
    public Backend open(LoopContext loop) throws IOException {
        return new UringBackend(loop, support, config);
    }

    @Override
    public SocketHandle openTcp(ProtocolFamily family, boolean listener) throws IOException {
        return FdSocket.openTcp(family, listener);
    }

    @Override
    public String toString() {
        return support.toString();
    }
}
