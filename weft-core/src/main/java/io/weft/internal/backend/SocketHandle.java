package io.weft.internal.backend;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * A socket of any family (TCP, UDP, Unix-domain, vsock; stream, datagram or listener) as
 * a backend made it. Every method here is a direct, non-blocking call that any thread may
 * make; waits go through {@link IoOp}s.
 *
 * <p>The methods past {@link #shutdownInput()} reach below the JDK's socket options (the
 * options UDP needs, batched datagrams, peer credentials, a duplicate descriptor); only a
 * backend over raw descriptors has them, and only it opens the families that need them
 * ({@link BackendProvider#openSocket}). The others inherit refusals.
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

    /**
     * Binds to {@code local} (an {@link InetSocketAddress}, {@link UnixName} or
     * {@link VsockName}; null for any); for a listener, also listens with {@code backlog}.
     */
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
     * getsockname(2) of any family: an {@link InetSocketAddress}, or for Unix and vsock a
     * {@link UnixName} or {@link VsockName}.
     */
    public SocketAddress localName() throws IOException {
        return localAddress();
    }

    /** getpeername(2) of any family (see {@link #localName()}), or null if not connected. */
    public SocketAddress peerName() throws IOException {
        return remoteAddress();
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

    /**
     * One non-blocking sendmmsg(2) of the {@code n} {@code struct mmsghdr}s at {@code vector}
     * (see {@link MsgBatch}), without SIGPIPE.
     *
     * @return how many were sent, or a negative errno (EAGAIN if none could go now)
     */
    public long sendMmsg(long vector, int n) throws IOException {
        throw notDescriptor("sendmmsg");
    }

    /**
     * One non-blocking recvmmsg(2) into the {@code n} {@code struct mmsghdr}s at
     * {@code vector} (see {@link MsgBatch}), asking each datagram's full length (MSG_TRUNC).
     *
     * @return how many were received, or a negative errno (EAGAIN if none is there)
     */
    public long recvMmsg(long vector, int n) throws IOException {
        throw notDescriptor("recvmmsg");
    }

    /** The peer's {pid, uid, gid} as the kernel recorded them at connect time (SO_PEERCRED). */
    public int[] peerCredentials() throws IOException {
        throw notDescriptor("SO_PEERCRED");
    }

    /** A new close-on-exec descriptor for this socket (F_DUPFD_CLOEXEC); {@code what} names it in errors. */
    public int duplicateFd(Object what) throws IOException {
        throw notDescriptor("dup");
    }

    private UnsupportedOperationException notDescriptor(String what) {
        return new UnsupportedOperationException(what + " needs a socket over a raw descriptor, not " + this);
    }
}
