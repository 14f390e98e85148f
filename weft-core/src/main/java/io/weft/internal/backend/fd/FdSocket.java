package io.weft.internal.backend.fd;

import io.weft.internal.backend.IntOption;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.backend.SocketNames;
import io.weft.internal.backend.UnixName;
import io.weft.internal.backend.VsockName;
import io.weft.internal.linux.CmsgLayout;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.MreqLayout;
import io.weft.internal.linux.SockAddr;
import io.weft.internal.linux.SockOpts;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;

/**
 * A socket as a raw, non-blocking, close-on-exec file descriptor: the
 * {@link SocketHandle} of the epoll and io_uring backends, which differ only in how they
 * run ops on {@link #fd()}. TCP sockets come from {@link #openTcp}; Unix-domain, UDP and
 * vsock sockets from {@link #open} and {@link #adopt}.
 *
 * <p>Any thread may call the direct methods (bind, options, addresses, shutdown). Once the
 * handle is closed they throw {@link ClosedChannelException}.
 */
/*
 * Overview
 *
 * The fd number must never be used after close(2), because the kernel hands the same
 * number to the next socket anyone opens. Ops are covered by Handle: closeNow() runs only
 * after the last op in flight has completed. Direct calls racing a close (setOption on one
 * thread while another closes) are covered by an FdGuard: close(2) waits for the last
 * direct call to leave, without a lock.
 */
public final class FdSocket extends SocketHandle {

    private final FdGuard guard;
    private final int fd;
    /** AF_INET, AF_INET6, AF_UNIX or AF_VSOCK. */
    private final int domain;
    private final boolean inet6;
    private final boolean listener;
    /** SOCK_DGRAM (UDP), which takes other options than a TCP stream. */
    private final boolean datagram;
    /**
     * 0, or the errno (ECONNRESET, EPIPE) of a reset that reached the socket after its
     * handshake but before a backend saw the connect complete. Reading SO_ERROR to finish
     * the connect consumed it, and a reset socket then reads as end of stream, so the
     * backend keeps it here and turns that end of stream back into the error. Written once
     * (volatile: the read may run on another loop), never cleared, as the JDK's reset
     * state is sticky.
     */
    private volatile int resetError;

    private FdSocket(int fd, boolean inet6, boolean listener) {
        this(fd, inet6 ? Libc.AF_INET6 : Libc.AF_INET, listener, false);
    }

    private FdSocket(int fd, int domain, boolean listener, boolean datagram) {
        this.fd = fd;
        this.datagram = datagram;
        this.guard = new FdGuard(fd, listener ? FdGuard::closeDirectly : FdGuard::closeLaterOnLoop);
        this.domain = domain;
        this.inet6 = domain == Libc.AF_INET6;
        this.listener = listener;
    }

    /** The AF_* number of {@code family}. */
    public static int domain(SocketFamily family) {
        return switch (family) {
            case INET -> Libc.AF_INET;
            case INET6 -> Libc.AF_INET6;
            case UNIX -> Libc.AF_UNIX;
            case VSOCK -> Libc.AF_VSOCK;
        };
    }

    /**
     * Opens a socket of any family: {@code socket(family, SOCK_STREAM or SOCK_DGRAM |
     * SOCK_NONBLOCK | SOCK_CLOEXEC, 0)}. An AF_INET6 socket is made dual-stack.
     *
     * @param listener true if {@link #bind} should also listen
     */
    public static FdSocket open(SocketFamily family, boolean datagram, boolean listener) throws IOException {
        return open(domain(family), datagram ? Libc.SOCK_DGRAM : Libc.SOCK_STREAM, listener);
    }

    private static FdSocket open(int domain, int type, boolean listener) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int fd = Libc.socket(cs, domain, type | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Errno.exception(fd, "socket", familyName(domain));
            }
            if (domain == Libc.AF_INET6) {
                try {
                    SockOpts.setInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 0);
                } catch (IOException e) {
                    Libc.close(cs, fd);
                    throw e;
                }
            }
            return new FdSocket(fd, domain, listener, type == Libc.SOCK_DGRAM);
        }
    }

    /**
     * Takes ownership of an open socket fd of {@code domain} (one from socketpair(2), or
     * received over a Unix socket) and makes it non-blocking and close-on-exec, as the
     * backends need. On failure the fd is left to the caller.
     */
    public static FdSocket adopt(int fd, SocketFamily family) throws IOException {
        return adopt(fd, domain(family));
    }

    private static FdSocket adopt(int fd, int domain) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int fl = Libc.fcntl(cs, fd, Libc.F_GETFL, 0);
            int r = fl < 0 ? fl : Libc.fcntl(cs, fd, Libc.F_SETFL, fl | Libc.O_NONBLOCK);
            if (r < 0) {
                throw Errno.exception(r, "fcntl(O_NONBLOCK)", "fd " + fd);
            }
        }
        return new FdSocket(fd, domain, false, false);
    }

    /**
     * A connected pair of unnamed Unix-domain sockets: {@code socketpair(AF_UNIX, type |
     * SOCK_CLOEXEC, 0)}, both ends made non-blocking. On failure neither descriptor leaks.
     */
    public static FdSocket[] pair(boolean datagram) throws IOException {
        int[] fds;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pair = arena.allocate(ValueLayout.JAVA_INT, 2);
            int type = datagram ? Libc.SOCK_DGRAM : Libc.SOCK_STREAM;
            int r = Libc.socketpair(Libc.newCallState(arena), Libc.AF_UNIX, type | Libc.SOCK_CLOEXEC, 0, pair);
            if (r < 0) {
                throw Errno.exception(r, "socketpair", "AF_UNIX");
            }
            fds = new int[] {pair.getAtIndex(ValueLayout.JAVA_INT, 0), pair.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
        FdSocket a = null;
        try {
            a = adopt(fds[0], Libc.AF_UNIX);
            return new FdSocket[] {a, adopt(fds[1], Libc.AF_UNIX)};
        } catch (IOException | RuntimeException e) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cs = Libc.newCallState(arena);
                if (a == null) {
                    Libc.close(cs, fds[0]);
                } else {
                    a.close();
                }
                Libc.close(cs, fds[1]);
            }
            throw e;
        }
    }

    private static String familyName(int domain) {
        return switch (domain) {
            case Libc.AF_UNIX -> "AF_UNIX";
            case Libc.AF_INET -> "AF_INET";
            case Libc.AF_INET6 -> "AF_INET6";
            case Libc.AF_VSOCK -> "AF_VSOCK";
            default -> "family " + domain;
        };
    }

    /**
     * Opens a TCP socket: {@code socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC)}.
     * An AF_INET6 socket is made dual-stack; a listener gets SO_REUSEADDR, as the JDK's
     * channels on Linux do.
     *
     * @param family INET or INET6; null for INET6 where the kernel has it, else INET
     */
    public static FdSocket openTcp(ProtocolFamily family, boolean listener) throws IOException {
        if (family != null && family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("Protocol family not supported: " + family);
        }
        int fd;
        boolean inet6 = family != StandardProtocolFamily.INET;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int type = Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC;
            fd = Libc.socket(cs, inet6 ? Libc.AF_INET6 : Libc.AF_INET, type, 0);
            if (fd == -Errno.EAFNOSUPPORT && family == null) {
                inet6 = false;
                fd = Libc.socket(cs, Libc.AF_INET, type, 0);
            }
            if (fd < 0) {
                throw Errno.exception(fd, "socket", family);
            }
            try {
                if (inet6) {
                    SockOpts.setInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 0);
                }
                if (listener) {
                    SockOpts.setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1);
                }
            } catch (IOException e) {
                Libc.close(cs, fd);
                throw e;
            }
        }
        return new FdSocket(fd, inet6, listener);
    }

    /**
     * Wraps an fd that accept4 returned (already non-blocking and close-on-exec); it has
     * the listener's family.
     */
    public static FdSocket accepted(int fd, FdSocket listener) {
        return new FdSocket(fd, listener.domain, false, false);
    }

    /**
     * Records that the peer reset the connection before the connect was seen to finish
     * (see {@link #resetError()}). Backends call it with the errno SO_ERROR gave.
     */
    public void recordReset(int errno) {
        resetError = Math.abs(errno);
    }

    /**
     * 0, or the errno of a reset recorded while connecting: a read that finds end of stream
     * on this socket must fail with it instead, so that a reset never looks like an
     * orderly close.
     */
    public int resetError() {
        return resetError;
    }

    /** The file descriptor; valid while an op holds the handle or a direct call is in progress. */
    public int fd() {
        return fd;
    }

    /** True for AF_INET6 (dual-stack), false for AF_INET. */
    @Override
    public boolean isInet6() {
        return inet6;
    }

    /** AF_INET, AF_INET6, AF_UNIX or AF_VSOCK. */
    public int domain() {
        return domain;
    }

    public boolean isListener() {
        return listener;
    }

    /**
     * True for a TCP stream: a read that returns fewer bytes than asked for has emptied the
     * receive queue (a Unix stream may stop short at a message from another sender, and a
     * datagram socket at each datagram, with more queued).
     */
    public boolean isTcpStream() {
        return !datagram && !listener && (domain == Libc.AF_INET || domain == Libc.AF_INET6);
    }

    // ---- the direct-call guard -------------------------------------------------------

    private void acquire() throws ClosedChannelException {
        if (isClosed() || !guard.enter()) {
            throw new ClosedChannelException();
        }
    }

    private void release() {
        guard.exit();
    }

    @Override
    protected void closeNow() throws IOException {
        int r = guard.close();
        if (r < 0) {
            throw Errno.exception(r, "close", this);
        }
    }

    // ---- direct calls --------------------------------------------------------------

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        SocketAddress address;
        if (local == null) {
            address = new InetSocketAddress(InetAddress.getByAddress(new byte[inet6 ? 16 : 4]), 0);
        } else if (local instanceof InetSocketAddress || local instanceof UnixName || local instanceof VsockName) {
            address = SocketNames.kernelForm(local);
        } else {
            throw new UnsupportedAddressTypeException();
        }
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            int len = SockAddr.encode(address, inet6, sa);
            if (len < 0) {
                throw Errno.exception(len, "bind", address);
            }
            int r = Libc.bind(cs, fd, sa, len);
            if (r < 0) {
                throw Errno.exception(r, "bind", address);
            }
            if (listener) {
                r = Libc.listen(cs, fd, backlog < 1 ? 50 : backlog);
                if (r < 0) {
                    throw Errno.exception(r, "listen", address);
                }
            }
        } finally {
            release();
        }
    }

    /** The options {@link #setOption} and {@link #getOption} accept. */
    public Set<SocketOption<?>> supportedOptions() {
        if (domain != Libc.AF_INET && domain != Libc.AF_INET6) {
            return SockOpts.LOCAL;
        }
        if (datagram) {
            return SockOpts.DATAGRAM;
        }
        return listener ? SockOpts.LISTENER : SockOpts.STREAM;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        checkSupported(option);
        acquire();
        try {
            SockOpts.set(fd, inet6, option, value);
        } finally {
            release();
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        checkSupported(option);
        acquire();
        try {
            return SockOpts.get(fd, inet6, option);
        } finally {
            release();
        }
    }

    private void checkSupported(SocketOption<?> option) {
        Objects.requireNonNull(option, "option");
        if (!supportedOptions().contains(option)) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
    }

    /** The bound address, or null while unbound (the kernel reports port 0 then). */
    @Override
    public InetSocketAddress localAddress() throws IOException {
        InetSocketAddress a = name(false) instanceof InetSocketAddress isa ? isa : null;
        return a == null || a.getPort() == 0 ? null : a;
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return listener ? null : name(true) instanceof InetSocketAddress isa ? isa : null;
    }

    /** getsockname(2) of any family (a {@link UnixName} or {@link VsockName} for Unix and vsock). */
    @Override
    public SocketAddress localName() throws IOException {
        return name(false);
    }

    /** getpeername(2) of any family, or null if not connected. */
    @Override
    public SocketAddress peerName() throws IOException {
        return name(true);
    }

    /**
     * Reads a struct-valued option into {@code value} (SO_PEERCRED, for one).
     *
     * @return the length the kernel wrote
     */
    private int getRawOption(int level, int name, MemorySegment value) throws IOException {
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) value.byteSize());
            int r = Libc.getsockopt(Libc.newCallState(arena), fd, level, name, value, len);
            if (r < 0) {
                throw Errno.exception(r, "getsockopt", "level " + level + " option " + name + " on " + this);
            }
            return len.get(ValueLayout.JAVA_INT, 0);
        } finally {
            release();
        }
    }

    /** Sets a struct- or int-valued option given as bytes (multicast membership, for one). */
    private void setRawOption(int level, int name, MemorySegment value, Object what) throws IOException {
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            int r = Libc.setsockopt(Libc.newCallState(arena), fd, level, name, value, (int) value.byteSize());
            if (r < 0) {
                throw Errno.exception(r, "setsockopt", what);
            }
        } finally {
            release();
        }
    }

    @Override
    public void setIntOption(IntOption option, int value) throws IOException {
        int[] at = switch (option) {
            case SO_REUSEADDR -> new int[] {Libc.SOL_SOCKET, Libc.SO_REUSEADDR};
            case SO_BROADCAST -> new int[] {Libc.SOL_SOCKET, Libc.SO_BROADCAST};
            case IP_PKTINFO -> new int[] {Libc.IPPROTO_IP, Libc.IP_PKTINFO};
            case IPV6_RECVPKTINFO -> new int[] {Libc.IPPROTO_IPV6, Libc.IPV6_RECVPKTINFO};
            case IP_MULTICAST_LOOP -> new int[] {Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP};
            case IPV6_MULTICAST_LOOP -> new int[] {Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP};
            case IP_MULTICAST_TTL -> new int[] {Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL};
            case IPV6_MULTICAST_HOPS -> new int[] {Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS};
        };
        try (Arena arena = Arena.ofConfined()) {
            setRawOption(at[0], at[1], arena.allocateFrom(ValueLayout.JAVA_INT, value), option.name());
        }
    }

    /** IP_ADD_MEMBERSHIP with an ip_mreqn, or IPV6_ADD_MEMBERSHIP with an ipv6_mreq (or the DROP forms). */
    @Override
    public void setMembership(InetAddress group, int ifindex, boolean join, Object what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(MreqLayout.IPV6_MREQ_SIZE, 4);
            if (group instanceof Inet4Address v4) {
                setRawOption(Libc.IPPROTO_IP, join ? Libc.IP_ADD_MEMBERSHIP : Libc.IP_DROP_MEMBERSHIP,
                        MreqLayout.ipMreqn(req, v4, ifindex), what);
            } else {
                setRawOption(Libc.IPPROTO_IPV6, join ? Libc.IPV6_ADD_MEMBERSHIP : Libc.IPV6_DROP_MEMBERSHIP,
                        MreqLayout.ipv6Mreq(req, (Inet6Address) group, ifindex), what);
            }
        }
    }

    /** IP_MULTICAST_IF with an ip_mreqn on an AF_INET socket, IPV6_MULTICAST_IF with an int on a dual-stack one. */
    @Override
    public void setMulticastInterface(int ifindex, Object what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            if (!inet6) {
                setRawOption(Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF,
                        MreqLayout.ipMreqn(arena.allocate(MreqLayout.IP_MREQN_SIZE, 4), null, ifindex), what);
            } else {
                setRawOption(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_IF, arena.allocateFrom(ValueLayout.JAVA_INT, ifindex), what);
            }
        }
    }

    @Override
    public long sendMmsg(long vector, int n) throws IOException {
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            return Libc.sendmmsg(Libc.newCallState(arena), fd, vector, n, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
        } finally {
            release();
        }
    }

    @Override
    public long recvMmsg(long vector, int n) throws IOException {
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            return Libc.recvmmsg(Libc.newCallState(arena), fd, vector, n, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC | Libc.MSG_CMSG_CLOEXEC);
        } finally {
            release();
        }
    }

    @Override
    public int[] peerCredentials() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(CmsgLayout.UCRED_SIZE, 4);
            getRawOption(Libc.SOL_SOCKET, Libc.SO_PEERCRED, ucred);
            return new int[] {ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4),
                    ucred.get(ValueLayout.JAVA_INT, 8)};
        }
    }

    @Override
    public int duplicateFd(Object what) throws IOException {
        acquire();
        try {
            return Descriptors.duplicate(fd, what);
        } finally {
            release();
        }
    }

    private SocketAddress name(boolean peer) throws IOException {
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, SockAddr.MAX_SIZE);
            int r = peer ? Libc.getpeername(cs, fd, sa, len) : Libc.getsockname(cs, fd, sa, len);
            if (r == -Errno.ENOTCONN) {
                return null;
            }
            if (r < 0) {
                throw Errno.exception(r, peer ? "getpeername" : "getsockname", this);
            }
            return SocketNames.read(sa, len.get(ValueLayout.JAVA_INT, 0));
        } finally {
            release();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        shutdown(Libc.SHUT_WR, "shutdown output");
    }

    @Override
    public void shutdownInput() throws IOException {
        shutdown(Libc.SHUT_RD, "shutdown input");
    }

    /**
     * shutdown(2) on {@code s} now, for a backend's {@code NetOps.Shutdown}: 0, or a
     * negative errno. ENOTCONN (the peer reset the connection already) counts as done, as
     * in the JDK.
     */
    public static int shutdownNow(FdSocket s, int how, MemorySegment cs) {
        int r = Libc.shutdown(cs, s.fd, how);
        return r == -Errno.ENOTCONN ? 0 : r;
    }

    private void shutdown(int how, String call) throws IOException {
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            int r = Libc.shutdown(Libc.newCallState(arena), fd, how);
            // ENOTCONN: the peer reset the connection already; like the JDK, nothing to do.
            if (r < 0 && r != -Errno.ENOTCONN) {
                throw Errno.exception(r, call, this);
            }
        } finally {
            release();
        }
    }

    @Override
    public String toString() {
        return "fd " + fd + (listener ? " (listener)" : "");
    }
}
