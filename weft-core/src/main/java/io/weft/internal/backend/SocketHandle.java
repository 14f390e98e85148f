package io.weft.internal.backend;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.function.IntToLongFunction;

/**
 * A socket of any family (TCP, UDP, Unix-domain, vsock; stream, datagram or listener) as
 * a backend made it. Every method here is a direct, non-blocking call that any thread may
 * make; waits go through {@link IoOp}s.
 *
 * <p>The methods past {@link #shutdownInput()} reach below the JDK's socket options (raw
 * option values, the descriptor itself); only a backend over raw descriptors has them, and
 * only it opens the families that need them ({@link BackendProvider#openSocket}). The
 * others inherit refusals.
 */
public abstract class SocketHandle extends Handle {

    private static final VarHandle ACCEPT_LOOP;
    static {
        try {
            ACCEPT_LOOP = MethodHandles.lookup().findVarHandle(SocketHandle.class, "acceptLoop", LoopContext.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See {@link #acceptLoop(LoopContext)}; set once. */
    @SuppressWarnings("unused")
    private volatile LoopContext acceptLoop;

    /**
     * The loop that takes this listener's accepts: the first one offered here. A backend
     * may keep per-listener state in its loop (io_uring's multishot accept queues the
     * connections the kernel took ahead of demand there), so a task that accepts and has
     * moved to another loop must still accept on this one, or connections would wait in a
     * queue nobody reads. Any thread.
     */
    public final LoopContext acceptLoop(LoopContext candidate) {
        LoopContext l = acceptLoop;
        if (l == null) {
            l = ACCEPT_LOOP.compareAndSet(this, null, candidate) ? candidate : acceptLoop;
        }
        return l;
    }

    /** Binds; for a listener, also listens with {@code backlog}. */
    public abstract void bind(SocketAddress local, int backlog) throws IOException;

    public abstract <T> void setOption(SocketOption<T> option, T value) throws IOException;

    public abstract <T> T getOption(SocketOption<T> option) throws IOException;

    public abstract InetSocketAddress localAddress() throws IOException;

    /** The peer's address, or null if not connected. */
    public abstract InetSocketAddress remoteAddress() throws IOException;

    public abstract void shutdownOutput() throws IOException;

    public abstract void shutdownInput() throws IOException;

    /** True for a dual-stack AF_INET6 socket, whose IPv4 peers are written as mapped addresses. */
    public boolean isInet6() {
        throw notDescriptor("the address family");
    }

    /**
     * getsockname(2) of any family: an {@link InetSocketAddress}, or for Unix and vsock an
     * {@link io.weft.internal.linux.EncodedSockAddr}.
     */
    public SocketAddress localName() throws IOException {
        return localAddress();
    }

    /** getpeername(2) of any family (see {@link #localName()}), or null if not connected. */
    public SocketAddress peerName() throws IOException {
        return remoteAddress();
    }

    /**
     * Reads a struct-valued option into {@code value} (SO_PEERCRED, for one).
     *
     * @return the length the kernel wrote
     */
    public int getRawOption(int level, int name, MemorySegment value) throws IOException {
        throw notDescriptor("getsockopt");
    }

    /** Sets an option given as bytes (multicast membership, for one); {@code what} names it in errors. */
    public void setRawOption(int level, int name, MemorySegment value, Object what) throws IOException {
        throw notDescriptor("setsockopt");
    }

    /** Sets an int-valued option below the JDK's ({@link IntOption}). */
    public void setIntOption(IntOption option, int value) throws IOException {
        throw notDescriptor(option.name());
    }

    /**
     * Joins ({@code join}) or leaves multicast {@code group} on the interface of index
     * {@code ifindex} (0: the one the kernel routes the group to); {@code what} names it in errors.
     */
    public void setMembership(InetAddress group, int ifindex, boolean join, Object what) throws IOException {
        throw notDescriptor("multicast membership");
    }

    /** Sends multicast datagrams out of the interface of index {@code ifindex}; {@code what} names it in errors. */
    public void setMulticastInterface(int ifindex, Object what) throws IOException {
        throw notDescriptor("the multicast interface");
    }

    /** A new close-on-exec descriptor for this socket (F_DUPFD_CLOEXEC); {@code what} names it in errors. */
    public int duplicateFd(Object what) throws IOException {
        throw notDescriptor("dup");
    }

    /**
     * Runs {@code call} with the descriptor held open, for direct non-blocking syscalls a
     * task makes itself (a batched send or receive, a dup); returns what it returns.
     */
    public long withFd(IntToLongFunction call) throws IOException {
        throw notDescriptor("descriptor access");
    }

    private UnsupportedOperationException notDescriptor(String what) {
        return new UnsupportedOperationException(what + " needs a socket over a raw descriptor, not " + this);
    }
}
