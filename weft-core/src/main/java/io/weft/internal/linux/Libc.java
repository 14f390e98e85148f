package io.weft.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls Weft's Linux backends make, bound through the FFM API.
 *
 * <p>Every wrapper returns the call's raw result when it succeeds and the negative errno
 * when it fails ({@code -Errno.EAGAIN}), so a caller never reads a stale errno and never
 * needs a second call. Turn a failure into an exception with
 * {@link Errno#exception(int, String, Object)}.
 *
 * <p>Every wrapper takes the caller's <em>call-state slot</em> ({@code cs}) first: a native
 * segment from {@link #newCallState(Arena)} into which the JVM copies errno right after the
 * call. One thread at a time may use a slot. Example:
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment cs = Libc.newCallState(arena);
 *     int fd = Libc.socket(cs, Libc.AF_INET, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
 *     if (fd < 0) throw Errno.exception(fd, "socket", null);
 * }
 * }</pre>
 */
/*
 * Overview
 *
 * Where the errno slot lives. The JVM writes errno into a segment the caller passes; it
 * must be native for ordinary downcalls. The choices were:
 *
 *   a ThreadLocal slot      rejected: tasks are virtual threads, so a slot per thread is a
 *                           native allocation per task, freed only by the GC
 *   a slot per call         fine where a call is rare (bind, setsockopt): those already
 *                           open an Arena for a sockaddr or an option value, and take the
 *                           slot from it
 *   a slot per loop         the hot path: a backend allocates one slot when it is made and
 *                           uses it for every call it makes on its loop thread. A task
 *                           mounted on that loop thread may share it, because a virtual
 *                           thread cannot be unmounted between a downcall and the read of
 *                           the slot (there is no park point in between)
 *
 * so the slot is a parameter, and its owner decides. Nothing here allocates per call.
 *
 * Critical calls. read, write, recv and send are linked with Linker.Option.critical(true):
 * no thread-state transition, and heap segments (byte[]-backed buffers) go straight to the
 * kernel without a copy. The price is that the GC cannot run while the call is in the
 * kernel, so these four are for non-blocking fds only, where the call returns after one
 * copy of at most a socket buffer. Everything that may block (epoll_wait, poll with a
 * timeout, connect on a blocking fd) is an ordinary downcall.
 *
 * Pointer-sized values that Java only passes through (mmap's result, munmap's address)
 * are described as JAVA_LONG: on the LP64 ABIs Weft supports a pointer and a long travel
 * in the same register, and a long needs no MemorySegment wrapper.
 */
@SuppressWarnings("restricted") // binding libc is this class's job; the launcher enables native access
public final class Libc {
    private Libc() {
    }

    // socket(2) and friends, from <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>.
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_UNIX = 1;
    public static final int AF_VSOCK = 40;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    /** Received descriptors are close-on-exec, so a fork/exec never inherits one by accident. */
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int SCM_RIGHTS = 1;
    public static final int SOL_SOCKET = 1;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_PEERCRED = 17;
    public static final int SO_DOMAIN = 39;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int IP_TOS = 1;
    public static final int IP_PKTINFO = 8;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IP_DROP_MEMBERSHIP = 36;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    public static final int IPV6_DROP_MEMBERSHIP = 21;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;
    public static final int IPV6_TCLASS = 67;
    public static final int TCP_NODELAY = 1;

    // epoll(7), eventfd(2), poll(2).
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int POLLIN = 0x001;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;

    // fcntl(2), memfd_create(2).
    public static final int F_GETFD = 1;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0x40;
    public static final int O_APPEND = 0x400;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int MFD_CLOEXEC = 1;
    public static final int F_DUPFD_CLOEXEC = 1030;

    // mmap(2).
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;

    /**
     * struct pollfd, 8 bytes:
     * <pre>
     *  0        4        6        8
     *  +--------+--------+--------+
     *  |   fd   | events |revents |
     *  +--------+--------+--------+
     *    int32    int16    int16
     * </pre>
     */
    public static final StructLayout POLLFD_LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), ValueLayout.JAVA_SHORT.withName("events"), ValueLayout.JAVA_SHORT.withName("revents"));

    /** The layout of a call-state slot (errno, as the JVM captures it). */
    public static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = bind("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = bind("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = bind("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = bind("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = bind("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = bind("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle READ = bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
    private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
    private static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Linker.Option.critical(true));
    private static final MethodHandle SEND = bind("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Linker.Option.critical(true));
    private static final MethodHandle READV = bind("readv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITEV = bind("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    // The msghdr pointers are passed as JAVA_LONG: the memory belongs to the task waiting for
    // the op (see MsgHdrLayout), and a loop thread passing a confined segment as ADDRESS
    // would be refused by FFM although only the waiting task ever reads or frees it.
    private static final MethodHandle SENDMSG = bind("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVMSG = bind("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDMMSG = bind("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle RECVMMSG = bind("recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SOCKETPAIR = bind("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MEMFD_CREATE = bind("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = bind("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD_WRITE = LINKER.downcallHandle(symbol("eventfd_write"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EPOLL_CREATE1 = bind("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = bind("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = bind("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = bind("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SYSCALL = bind("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol(name), fd, options);
    }

    /** A new call-state slot, living as long as {@code arena}. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE_LAYOUT);
    }

    /** The errno the last failed call through {@code cs} left there. */
    public static int errno(MemorySegment cs) {
        return cs.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static int check(MemorySegment cs, int r) {
        return r < 0 ? -errno(cs) : r;
    }

    private static long check(MemorySegment cs, long r) {
        return r < 0 ? -errno(cs) : r;
    }

    /** invokeExact declares Throwable; the native functions bound here throw nothing of their own. */
    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    // ---- sockets ---------------------------------------------------------------------

    public static int socket(MemorySegment cs, int domain, int type, int protocol) {
        try {
            return check(cs, (int) SOCKET.invokeExact(cs, domain, type, protocol));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static int bind(MemorySegment cs, int fd, MemorySegment addr, int addrLen) {
        try {
            return check(cs, (int) BIND.invokeExact(cs, fd, addr, addrLen));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static int listen(MemorySegment cs, int fd, int backlog) {
        try {
            return check(cs, (int) LISTEN.invokeExact(cs, fd, backlog));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * accept4(2). {@code addr} and {@code addrLen} may be {@link MemorySegment#NULL} when the
     * peer's address is not wanted.
     */
    public static int accept4(MemorySegment cs, int fd, MemorySegment addr, MemorySegment addrLen, int flags) {
        try {
            return check(cs, (int) ACCEPT4.invokeExact(cs, fd, addr, addrLen, flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** connect(2); on a non-blocking socket expect {@code -EINPROGRESS}. */
    public static int connect(MemorySegment cs, int fd, MemorySegment addr, int addrLen) {
        try {
            return check(cs, (int) CONNECT.invokeExact(cs, fd, addr, addrLen));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static int shutdown(MemorySegment cs, int fd, int how) {
        try {
            return check(cs, (int) SHUTDOWN.invokeExact(cs, fd, how));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** close(2). Not retried on EINTR: Linux has released the fd by then. */
    public static int close(MemorySegment cs, int fd) {
        try {
            return check(cs, (int) CLOSE.invokeExact(cs, fd));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static int setsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, int valueLen) {
        try {
            return check(cs, (int) SETSOCKOPT.invokeExact(cs, fd, level, name, value, valueLen));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** getsockopt(2); {@code valueLen} is an in/out {@code socklen_t}. */
    public static int getsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, MemorySegment valueLen) {
        try {
            return check(cs, (int) GETSOCKOPT.invokeExact(cs, fd, level, name, value, valueLen));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** getsockname(2); {@code addrLen} is an in/out {@code socklen_t}. */
    public static int getsockname(MemorySegment cs, int fd, MemorySegment addr, MemorySegment addrLen) {
        try {
            return check(cs, (int) GETSOCKNAME.invokeExact(cs, fd, addr, addrLen));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** getpeername(2); {@code -ENOTCONN} if the socket has no peer. */
    public static int getpeername(MemorySegment cs, int fd, MemorySegment addr, MemorySegment addrLen) {
        try {
            return check(cs, (int) GETPEERNAME.invokeExact(cs, fd, addr, addrLen));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ---- data (critical: non-blocking fds only; buf may be a heap segment) ------------

    /** read(2) of up to {@code buf.byteSize()} bytes. Non-blocking fds only (see the overview). */
    public static long read(MemorySegment cs, int fd, MemorySegment buf) {
        try {
            return check(cs, (long) READ.invokeExact(cs, fd, buf, buf.byteSize()));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** write(2) of up to {@code buf.byteSize()} bytes. Non-blocking fds only. */
    public static long write(MemorySegment cs, int fd, MemorySegment buf) {
        try {
            return check(cs, (long) WRITE.invokeExact(cs, fd, buf, buf.byteSize()));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** recv(2) of up to {@code buf.byteSize()} bytes. Non-blocking fds only. */
    public static long recv(MemorySegment cs, int fd, MemorySegment buf, int flags) {
        try {
            return check(cs, (long) RECV.invokeExact(cs, fd, buf, buf.byteSize(), flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** send(2) of up to {@code buf.byteSize()} bytes; pass {@link #MSG_NOSIGNAL} to get EPIPE instead of SIGPIPE. Non-blocking fds only. */
    public static long send(MemorySegment cs, int fd, MemorySegment buf, int flags) {
        try {
            return check(cs, (long) SEND.invokeExact(cs, fd, buf, buf.byteSize(), flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** readv(2) over {@code count} native {@code struct iovec}s. */
    public static long readv(MemorySegment cs, int fd, MemorySegment iov, int count) {
        try {
            return check(cs, (long) READV.invokeExact(cs, fd, iov, count));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** writev(2) over {@code count} native {@code struct iovec}s. */
    public static long writev(MemorySegment cs, int fd, MemorySegment iov, int count) {
        try {
            return check(cs, (long) WRITEV.invokeExact(cs, fd, iov, count));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ---- messages and descriptors (msghdr memory: see MsgHdrLayout) --------------------

    /** sendmsg(2) of the {@code struct msghdr} at {@code msghdr}. Non-blocking fds, or MSG_DONTWAIT. */
    public static long sendmsg(MemorySegment cs, int fd, long msghdr, int flags) {
        try {
            return check(cs, (long) SENDMSG.invokeExact(cs, fd, msghdr, flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** recvmsg(2) into the {@code struct msghdr} at {@code msghdr}, which the kernel updates. */
    public static long recvmsg(MemorySegment cs, int fd, long msghdr, int flags) {
        try {
            return check(cs, (long) RECVMSG.invokeExact(cs, fd, msghdr, flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** sendmmsg(2) of {@code count} {@code struct mmsghdr}s; returns how many were sent. */
    public static int sendmmsg(MemorySegment cs, int fd, long mmsghdrs, int count, int flags) {
        try {
            return check(cs, (int) SENDMMSG.invokeExact(cs, fd, mmsghdrs, count, flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** recvmmsg(2) into {@code count} {@code struct mmsghdr}s, without a timeout; returns how many arrived. */
    public static int recvmmsg(MemorySegment cs, int fd, long mmsghdrs, int count, int flags) {
        try {
            return check(cs, (int) RECVMMSG.invokeExact(cs, fd, mmsghdrs, count, flags, 0L));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** socketpair(2); {@code fds} receives two ints. */
    public static int socketpair(MemorySegment cs, int domain, int type, int protocol, MemorySegment fds) {
        try {
            return check(cs, (int) SOCKETPAIR.invokeExact(cs, domain, type, protocol, fds));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** open(2); {@code path} is a NUL-terminated native string. */
    public static int open(MemorySegment cs, MemorySegment path, int flags, int mode) {
        try {
            return check(cs, (int) OPEN.invokeExact(cs, path, flags, mode));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** fcntl(2) with an int argument (F_GETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC). */
    public static int fcntl(MemorySegment cs, int fd, int cmd, int arg) {
        try {
            return check(cs, (int) FCNTL.invokeExact(cs, fd, cmd, arg));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** memfd_create(2); {@code name} is a NUL-terminated native string. */
    public static int memfdCreate(MemorySegment cs, MemorySegment name, int flags) {
        try {
            return check(cs, (int) MEMFD_CREATE.invokeExact(cs, name, flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ---- files ------------------------------------------------------------------------

    /** ftruncate(2). May block (freeing a large file's blocks): call it off the loop. */
    public static int ftruncate(MemorySegment cs, int fd, long length) {
        try {
            return check(cs, (int) FTRUNCATE.invokeExact(cs, fd, length));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ---- readiness and wake-up ---------------------------------------------------------

    /** poll(2) over {@code count} {@link #POLLFD_LAYOUT} entries; returns the number ready. */
    public static int poll(MemorySegment cs, MemorySegment fds, int count, int timeoutMillis) {
        try {
            return check(cs, (int) POLL.invokeExact(cs, fds, (long) count, timeoutMillis));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static int eventfd(MemorySegment cs, int initial, int flags) {
        try {
            return check(cs, (int) EVENTFD.invokeExact(cs, initial, flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * Adds 1 to an eventfd's counter; any thread, no call-state slot. Returns 0, or -1 on
     * failure with errno not captured: the only failures are EAGAIN (the counter is
     * saturated, so the reader is signalled already) and EBADF (closed during shutdown),
     * and a waker can do nothing about either.
     */
    public static int eventfdSignal(int fd) {
        try {
            return (int) EVENTFD_WRITE.invokeExact(fd, 1L);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static int epollCreate1(MemorySegment cs, int flags) {
        try {
            return check(cs, (int) EPOLL_CREATE1.invokeExact(cs, flags));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** epoll_ctl(2); {@code event} is one {@link EpollEventLayout} entry, or NULL for DEL. */
    public static int epollCtl(MemorySegment cs, int epfd, int op, int fd, MemorySegment event) {
        try {
            return check(cs, (int) EPOLL_CTL.invokeExact(cs, epfd, op, fd, event));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** epoll_wait(2); blocks, so an ordinary (not critical) downcall. {@code -EINTR} on a signal. */
    public static int epollWait(MemorySegment cs, int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return check(cs, (int) EPOLL_WAIT.invokeExact(cs, epfd, events, maxEvents, timeoutMillis));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    // ---- memory and raw syscalls (io_uring) --------------------------------------------

    /** mmap(2); returns the mapping's address, or a negative errno. */
    public static long mmap(MemorySegment cs, long addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return check(cs, (long) MMAP.invokeExact(cs, addr, length, prot, flags, fd, offset));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static int munmap(MemorySegment cs, long addr, long length) {
        try {
            return check(cs, (int) MUNMAP.invokeExact(cs, addr, length));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * syscall(2) with up to six arguments (unused ones are passed as 0, which the kernel
     * ignores). For calls libc does not wrap, such as io_uring_setup and io_uring_enter.
     */
    public static long syscall(MemorySegment cs, long number, long a0, long a1, long a2, long a3, long a4, long a5) {
        try {
            return check(cs, (long) SYSCALL.invokeExact(cs, number, a0, a1, a2, a3, a4, a5));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    public static long syscall(MemorySegment cs, long number, long a0, long a1, long a2, long a3) {
        return syscall(cs, number, a0, a1, a2, a3, 0, 0);
    }

    public static long syscall(MemorySegment cs, long number, long a0, long a1, long a2) {
        return syscall(cs, number, a0, a1, a2, 0, 0, 0);
    }
    // ---- CPU affinity --------------------------------------------------------------------

    private static final MethodHandle SCHED_SETAFFINITY = bind("sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = bind("sched_getaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    /** sched_setaffinity(2): thread {@code tid} (0: the calling thread) may run only on the CPUs set in {@code mask} (a cpu_set_t). */
    public static int schedSetaffinity(MemorySegment cs, int tid, MemorySegment mask) {
        try {
            return check(cs, (int) SCHED_SETAFFINITY.invokeExact(cs, tid, mask.byteSize(), mask));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** sched_getaffinity(2): fills {@code mask} (a cpu_set_t) with the CPUs thread {@code tid} (0: the caller) may run on. */
    public static int schedGetaffinity(MemorySegment cs, int tid, MemorySegment mask) {
        try {
            return check(cs, (int) SCHED_GETAFFINITY.invokeExact(cs, tid, mask.byteSize(), mask));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }
}
