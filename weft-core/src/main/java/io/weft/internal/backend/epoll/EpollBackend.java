package io.weft.internal.backend.epoll;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendOp;
import io.weft.internal.backend.FileOps;
import io.weft.internal.backend.FutexWait;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.MsgOps;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.Vectored;
import io.weft.internal.backend.fd.FdGuard;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.EpollEventLayout;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.SockAddr;
import io.weft.internal.linux.SockOpts;
import io.weft.internal.wait.Op;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One loop's epoll backend: readiness, edge-triggered, on raw non-blocking fds.
 *
 * <p>Thread confinement: loop thread only (the loop's own thread, or a task mounted on
 * it), asserted with {@code loop.inLoop()}; {@link #wakeup()} and {@link #cancel} from any
 * thread.
 */
/*
 * Overview
 *
 * An op first makes its syscall. Only if that would block (EAGAIN, or EINPROGRESS for a
 * connect) does the fd join this loop's epoll, once, for everything and edge-triggered
 * (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET), and the op parks in the fd's Registration.
 * Most reads and writes on a busy connection never touch epoll at all.
 *
 *   op        syscall                                   direction   on the edge
 *   Accept    accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)     READ        retry
 *   Read      read                                      READ        retry
 *   Write     send(MSG_NOSIGNAL)                        WRITE       retry
 *   Connect   connect; EINPROGRESS parks                WRITE       SO_ERROR, then getpeername
 *   Poll      poll(fd, 0 ms)                            either      complete with the bits
 *   SendMsg   sendmsg(MSG_NOSIGNAL)                     WRITE       retry
 *   RecvMsg   recvmsg(MSG_CMSG_CLOEXEC)                 READ        retry
 *
 * Readiness cache. A Registration keeps one bit per direction: set means "may be ready,
 * try the syscall", clear means "EAGAIN since the last edge, wait". It starts set. EAGAIN
 * clears it, and so does a short read of a registered TCP stream (it emptied the queue, and
 * in request/response traffic the next read would only get EAGAIN); an edge sets it and
 * retries the parked ops of that direction in order until one gets EAGAIN again. A new op
 * parks at once behind older ops of its direction, or when the bit is clear, so it neither
 * jumps the queue nor wastes a syscall. No edge is lost:
 * one that arrives after EAGAIN, or after EPOLL_CTL_ADD (which reports a socket that is
 * ready already), is delivered by the next epoll_wait, which sets the bit.
 *
 * Tokens. epoll hands back a 64-bit token per event: (generation << 32) | fd. The table
 * byFd maps an fd to its Registration, and an event whose token does not match the entry
 * belongs to a file closed since (its fd number now names another socket) and is dropped.
 * close(2) itself removes a file from every epoll set, so nothing is deregistered by hand;
 * an entry is replaced when its number comes back with a new FdSocket.
 *
 * Cancellation. Every syscall here completes or fails at once; a parked op has done no
 * work. cancelOnLoop removes it from its queue and completes it with CANCELLED, so no byte
 * can be lost: data that raced the cancel is still in the kernel for the next read. The op
 * is found in the queue of its socket's Registration; one the backend never received (not
 * in any queue, not done) is completed the same way.
 * A withdrawn connect leaves its handshake to the kernel; the caller closes the socket.
 *
 * Buffers. Read and Write pass the op's segment, heap or native, straight to read/send:
 * Libc links them as critical downcalls, which may take heap memory. A bounce buffer was
 * rejected: it costs a copy per op for nothing, since the fds are non-blocking and the GC
 * waits at most for one socket-buffer copy. A native segment confined to the waiting task
 * is passed by address (see reachable); a segment FFM refuses (its arena closed) fails
 * the op with EIO and never escapes into the loop.
 *
 * Wake-up. An eventfd, level-triggered in the same epoll under token WAKEUP. wakeup()
 * writes to it from any thread through an FdGuard, so a waker racing close() never writes
 * to a reused fd number; poll() drains it. Deduplicating wakeups is the loop's job (its
 * sleep word); a surplus write costs one syscall and one drain.
 */
final class EpollBackend extends Backend {

    private static final int READ = 1;
    private static final int WRITE = 2;
    /** The most a vectored op with heap segments moves in one syscall. */
    private static final long VECTOR_BUFFER_BYTES = 64 * 1024;
    private static final int INTEREST = Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;
    private static final int READ_EVENTS = Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR;
    private static final int WRITE_EVENTS = Libc.EPOLLOUT | Libc.EPOLLHUP | Libc.EPOLLERR;
    /** The eventfd's token; no Registration has it, since fd -1 is never one. */
    private static final long WAKEUP = -1L;
    private static final int MAX_EVENTS = 512;

    private final Arena arena = Arena.ofShared();
    /** Loop-confined scratch: call-state slot, event array, one sockaddr, small values. */
    private final MemorySegment cs;
    private final MemorySegment events;
    private final MemorySegment ctlEvent;
    private final MemorySegment sockaddr;
    private final MemorySegment pollfd;
    private final MemorySegment scratch;
    /** The iovec array of a vectored op's readv/writev; used within one attempt only. */
    private final MemorySegment iovecs;
    /** Where heap segments of a vectored op are gathered before a write, or land before a scatter. */
    private final MemorySegment vectorBuffer;

    private final int epfd;
    private final FdGuard wakeFd;

    /** The Registration of each fd this loop has parked an op on; indexed by fd. Loop thread only. */
    private Registration[] byFd = new Registration[64];
    /** The generation of the next Registration (the high half of its token). Loop thread only. */
    private int generation;
    private boolean closed;

    EpollBackend(LoopContext loop) throws IOException {
        super(loop);
        cs = Libc.newCallState(arena);
        events = arena.allocate(EpollEventLayout.SIZE * MAX_EVENTS, 8);
        ctlEvent = arena.allocate(EpollEventLayout.SIZE, 8);
        sockaddr = arena.allocate(SockAddr.MAX_SIZE, 8);
        pollfd = arena.allocate(Libc.POLLFD_LAYOUT);
        scratch = arena.allocate(16, 8);
        iovecs = arena.allocate(Vectored.IOVECS_BYTES, 8);
        vectorBuffer = arena.allocate(VECTOR_BUFFER_BYTES, 64);
        int ep = Libc.epollCreate1(cs, Libc.EPOLL_CLOEXEC);
        if (ep < 0) {
            arena.close();
            throw Errno.exception(ep, "epoll_create1", null);
        }
        int efd = Libc.eventfd(cs, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        int r = efd < 0 ? efd : ctl(ep, Libc.EPOLL_CTL_ADD, efd, Libc.EPOLLIN, WAKEUP);
        if (r < 0) {
            if (efd >= 0) {
                Libc.close(cs, efd);
            }
            Libc.close(cs, ep);
            arena.close();
            throw Errno.exception(r, efd < 0 ? "eventfd" : "epoll_ctl", null);
        }
        epfd = ep;
        wakeFd = new FdGuard(efd);
    }

    /** The ops parked in this loop, over all fds; for leak checks. Loop thread only. */
    public int parkedOps() {
        assert loop.inLoop();
        int n = 0;
        for (Registration r : byFd) {
            if (r != null) {
                n += r.parked.size();
            }
        }
        return n;
    }

    @Override
    public String name() {
        return "epoll";
    }

    /** Ops parked on one fd in this loop's epoll, and the fd's cached readiness. Loop thread only. */
    private static final class Registration {
        final FdSocket socket;
        final long token;
        /** READ and WRITE bits: set = may be ready, clear = EAGAIN since the last edge. */
        int ready = READ | WRITE;
        /**
         * Set for good once an edge carried EPOLLRDHUP, EPOLLHUP or EPOLLERR: the end of the
         * stream or an error is pending, which a short read leaves behind and no later edge
         * announces again, so a short read no longer clears READ.
         */
        boolean ended;
        /** Parked ops in submission order; each op waits behind older ops of its direction. */
        final ArrayDeque<IoOp> parked = new ArrayDeque<>(2);

        Registration(FdSocket socket, long token) {
            this.socket = socket;
            this.token = token;
        }

        /** True if an op that consumes readiness (not a Poll) waits in {@code direction}. */
        boolean hasParked(int direction) {
            for (IoOp op : parked) {
                if (!(op instanceof NetOps.Poll) && (directionOf(op) & direction) != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    private static int directionOf(IoOp op) {
        return switch (op) {
            case NetOps.Read r -> READ;
            case NetOps.ReadV r -> READ;
            case NetOps.Accept a -> READ;
            case NetOps.Write w -> WRITE;
            case NetOps.WriteV w -> WRITE;
            case NetOps.Connect c -> WRITE;
            case MsgOps.SendMsg m -> WRITE;
            case MsgOps.RecvMsg m -> READ;
            case NetOps.Poll p -> ((p.events & NetOps.POLLIN) != 0 ? READ : 0) | ((p.events & NetOps.POLLOUT) != 0 ? WRITE : 0);
            case NetOps.Shutdown _, FileOps.FileOp _, FutexWait _, BackendOp _ -> 0; // never parked
        };
    }

    // ---- submit ----------------------------------------------------------------------

    @Override
    public void submit(IoOp op) {
        assert loop.inLoop();
        if (op instanceof NetOps.Shutdown sh && op.handle() instanceof FdSocket s && !closed) {
            op.complete(FdSocket.shutdownNow(s, sh.how, cs)); // never waits
            return;
        }
        int direction = directionOf(op);
        if (direction == 0 || !(op.handle() instanceof FdSocket s)) {
            op.complete(-Errno.EOPNOTSUPP);
            return;
        }
        if (closed) {
            op.complete(Op.CANCELLED);
            return;
        }
        switch (op) {
            case NetOps.Connect c -> startConnect(s, c);
            case NetOps.Poll p -> startPoll(s, p);
            default -> {
                Registration reg = registrationOf(s);
                if (reg != null && ((reg.ready & direction) == 0 || reg.hasParked(direction))) {
                    park(reg, op);
                } else if (!attempt(s, reg, op)) {
                    reg = register(s, op);
                    if (reg != null) {
                        reg.ready &= ~direction;
                        park(reg, op);
                    }
                }
            }
        }
    }

    private void startConnect(FdSocket s, NetOps.Connect c) {
        int len;
        try {
            len = SockAddr.encode(c.remote, s.isInet6(), sockaddr);
        } catch (UnresolvedAddressException e) {
            // The same result the nio backend gives for it.
            c.complete(-Errno.EIO, new UncheckedIOException(new IOException(e)));
            return;
        }
        int r = len < 0 ? len : Libc.connect(cs, s.fd(), sockaddr, len);
        if (r == -Errno.EINPROGRESS || r == -Errno.EINTR) {
            // EINTR: the connection goes on in the background, as for EINPROGRESS.
            Registration reg = register(s, c);
            if (reg != null) {
                reg.ready &= ~WRITE;
                park(reg, c);
            }
        } else {
            c.complete(r);
        }
    }

    private void startPoll(FdSocket s, NetOps.Poll p) {
        pollfd.set(ValueLayout.JAVA_INT, 0, s.fd());
        pollfd.set(ValueLayout.JAVA_SHORT, 4, (short) (p.events & (Libc.POLLIN | Libc.POLLOUT)));
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int r = Libc.poll(cs, pollfd, 1, 0);
        if (r < 0) {
            p.complete(r);
            return;
        }
        int revents = pollfd.get(ValueLayout.JAVA_SHORT, 6);
        int bits = r == 0 ? 0 : pollBits(revents & (Libc.POLLIN | Libc.POLLOUT), (revents & (Libc.POLLERR | Libc.POLLHUP)) != 0) & p.events;
        if (bits != 0) {
            p.complete(bits);
            return;
        }
        Registration reg = register(s, p);
        if (reg != null) {
            park(reg, p);
        }
    }

    /** NetOps poll bits from poll(2)/epoll bits; an error or hang-up makes both directions ready, as in the JDK. */
    private static int pollBits(int inOut, boolean errorOrHangup) {
        if (errorOrHangup) {
            return NetOps.POLLIN | NetOps.POLLOUT;
        }
        return ((inOut & Libc.POLLIN) != 0 ? NetOps.POLLIN : 0) | ((inOut & Libc.POLLOUT) != 0 ? NetOps.POLLOUT : 0);
    }

    /**
     * Makes the op's syscall once (again on EINTR, and for accept on ECONNABORTED, which
     * only says that one queued connection went away).
     *
     * @param reg the socket's registration in this loop's epoll, or null if it has none yet
     * @return true if the op is now complete, false if it would block
     */
    private boolean attempt(FdSocket s, Registration reg, IoOp op) {
        for (;;) {
            long r;
            try {
                r = switch (op) {
                    case NetOps.Read rd -> {
                        long n = Libc.read(cs, s.fd(), reachable(rd.buffer, op));
                        yield n == 0 && s.resetError() != 0 ? -s.resetError() : n;
                    }
                    case NetOps.Write wr -> Libc.send(cs, s.fd(), reachable(wr.buffer, op), Libc.MSG_NOSIGNAL);
                    case NetOps.ReadV rv -> {
                        long n = readv(s, rv.buffers);
                        yield n == 0 && s.resetError() != 0 ? -s.resetError() : n;
                    }
                    case NetOps.WriteV wv -> writev(s, wv.buffers);
                    case NetOps.Accept a -> Libc.accept4(cs, s.fd(), MemorySegment.NULL, MemorySegment.NULL,
                            Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
                    case NetOps.Connect c -> finishConnect(s);
                    case MsgOps.SendMsg m -> Libc.sendmsg(cs, s.fd(), m.msghdr, m.flags | Libc.MSG_NOSIGNAL);
                    case MsgOps.RecvMsg m -> Libc.recvmsg(cs, s.fd(), m.msghdr, m.flags | Libc.MSG_CMSG_CLOEXEC);
                    case NetOps.Poll _, NetOps.Shutdown _, FileOps.FileOp _, FutexWait _, BackendOp _ ->
                            throw new IllegalStateException("not a retried op: " + op);
                };
            } catch (RuntimeException e) {
                // A buffer whose arena is closed, or that this thread may not touch: the op
                // fails, as on the nio backend, and the loop goes on.
                op.complete(-Errno.EIO, new UncheckedIOException(new IOException(e)));
                return true;
            }
            if (r == -Errno.EAGAIN) {
                return false;
            }
            if (r == -Errno.EINTR || (r == -Errno.ECONNABORTED && op instanceof NetOps.Accept)) {
                continue;
            }
            if (op instanceof NetOps.Accept && r >= 0) {
                FdSocket accepted = FdSocket.accepted((int) r, s);
                if (!op.complete(0, accepted)) {
                    closeQuietly(accepted);
                }
            } else {
                if (r > 0 && op instanceof NetOps.Read rd && r < rd.buffer.byteSize()) {
                    emptied(s, reg);
                }
                op.complete(r);
            }
            return true;
        }
    }

    /** readv(2) for native segments; else one read into vectorBuffer, scattered. */
    private long readv(FdSocket s, MemorySegment[] buffers) {
        if (Vectored.allNative(buffers)) {
            return Libc.readv(cs, s.fd(), iovecs, Vectored.iovecs(buffers, iovecs));
        }
        long n = Libc.read(cs, s.fd(), vectorBuffer.asSlice(0, Math.min(Vectored.size(buffers), vectorBuffer.byteSize())));
        if (n > 0) {
            Vectored.scatter(vectorBuffer, n, buffers);
        }
        return n;
    }

    /** writev(2) for native segments; else the segments gathered into vectorBuffer, one send. */
    private long writev(FdSocket s, MemorySegment[] buffers) {
        if (Vectored.allNative(buffers)) {
            return Libc.writev(cs, s.fd(), iovecs, Vectored.iovecs(buffers, iovecs));
        }
        int n = Vectored.gather(buffers, vectorBuffer);
        return Libc.send(cs, s.fd(), vectorBuffer.asSlice(0, n), Libc.MSG_NOSIGNAL);
    }

    /**
     * The op's buffer as this thread may hand it to the kernel. A native segment from the
     * waiting task's confined arena (the idiomatic {@code Arena.ofConfined()}) refuses FFM
     * access from the loop thread, which makes every retry; its address is still good
     * here: only the owner can close a confined arena, the owner is the waiter, and the
     * waiter stays parked until this op's final completion (DESIGN §3), which comes after
     * this call. Any other segment is passed as it is, so FFM still checks it.
     */
    @SuppressWarnings("restricted")
    private static MemorySegment reachable(MemorySegment buf, IoOp op) {
        if (buf.isNative() && !buf.isAccessibleBy(Thread.currentThread())
                && buf.isAccessibleBy(op.waiter()) && buf.scope().isAlive()) {
            return MemorySegment.ofAddress(buf.address()).reinterpret(buf.byteSize());
        }
        return buf;
    }

    /**
     * After a write edge on a connecting socket: SO_ERROR holds the outcome of a failed
     * connect; if it is clear, getpeername tells a finished connect from an edge that came
     * before the handshake did (ENOTCONN, reported as EAGAIN: wait for the next edge).
     *
     * <p>ECONNRESET or EPIPE in SO_ERROR mean the handshake did finish (Linux reports a
     * reset in SYN_SENT as ECONNREFUSED) and the peer reset the connection before this
     * loop saw the edge: the connect succeeded, and the reset belongs to the first read,
     * so it is recorded on the socket (FdSocket.recordReset) rather than lost.
     */
    private long finishConnect(FdSocket s) {
        int err = SockOpts.pendingError(cs, s.fd(), scratch);
        if (err == Errno.ECONNRESET || err == Errno.EPIPE) {
            s.recordReset(err);
            return 0;
        }
        if (err != 0) {
            return -err;
        }
        MemorySegment len = scratch.asSlice(8, 4);
        len.set(ValueLayout.JAVA_INT, 0, SockAddr.MAX_SIZE);
        int r = Libc.getpeername(cs, s.fd(), sockaddr, len);
        return r == -Errno.ENOTCONN ? -Errno.EAGAIN : r;
    }

    private static void closeQuietly(FdSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            System.getLogger(EpollBackend.class.getName()).log(System.Logger.Level.DEBUG, "close of " + s + " failed", e);
        }
    }

    private static void park(Registration reg, IoOp op) {
        reg.parked.add(op);
    }

    // ---- registrations ---------------------------------------------------------------

    /**
     * A short read of a TCP stream emptied its receive queue: the next read waits for the
     * edge that new data brings rather than trying a read that would only say EAGAIN. Only
     * for a registered socket, whose edges this loop's epoll reports; a new edge may already
     * be queued for bytes this read took, which costs one read that finds nothing. Not once
     * the peer's FIN or an error was seen: the end of the stream may still be unread, and
     * no new edge would come for it.
     */
    private static void emptied(FdSocket s, Registration reg) {
        if (reg != null && !reg.ended && s.isTcpStream()) {
            reg.ready &= ~READ;
        }
    }

    private Registration registrationOf(FdSocket s) {
        int fd = s.fd();
        Registration reg = fd < byFd.length ? byFd[fd] : null;
        return reg != null && reg.socket == s ? reg : null;
    }

    /**
     * The socket's Registration, adding the fd to epoll if this is its first park here.
     * Returns null after completing {@code op} with the error if epoll refuses the fd.
     */
    private Registration register(FdSocket s, IoOp op) {
        Registration reg = registrationOf(s);
        if (reg != null) {
            return reg;
        }
        int fd = s.fd();
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        long token = ((long) ++generation << 32) | fd;
        int r = ctl(epfd, Libc.EPOLL_CTL_ADD, fd, INTEREST, token);
        if (r == -Errno.EEXIST) {
            r = ctl(epfd, Libc.EPOLL_CTL_MOD, fd, INTEREST, token);
        }
        if (r < 0) {
            op.complete(r);
            return null;
        }
        reg = new Registration(s, token);
        byFd[fd] = reg;
        return reg;
    }

    private int ctl(int ep, int operation, int fd, int interest, long token) {
        EpollEventLayout.set(ctlEvent, 0, interest, token);
        return Libc.epollCtl(cs, ep, operation, fd, ctlEvent);
    }

    // ---- poll ----------------------------------------------------------------------

    @Override
    public void poll(long timeoutNanos) {
        assert loop.inLoop();
        int n = Libc.epollWait(cs, epfd, events, MAX_EVENTS, timeoutMillis(timeoutNanos));
        if (n == -Errno.EINTR) {
            return; // a signal; the loop calls again
        }
        if (n < 0) {
            throw new UncheckedIOException(Errno.exception(n, "epoll_wait", null));
        }
        for (int i = 0; i < n; i++) {
            long token = EpollEventLayout.data(events, i);
            if (token == WAKEUP) {
                drainWakeups();
                continue;
            }
            int fd = (int) token;
            Registration reg = fd < byFd.length ? byFd[fd] : null;
            if (reg != null && reg.token == token) {
                onEdge(reg, EpollEventLayout.events(events, i));
            }
        }
    }

    /** epoll_wait's millisecond timeout: rounded up, so a timer is never woken early. */
    static int timeoutMillis(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return 0;
        }
        if (timeoutNanos == Long.MAX_VALUE) {
            return -1;
        }
        long ms = timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1);
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private void onEdge(Registration reg, int bits) {
        if ((bits & (Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) {
            reg.ended = true;
        }
        if ((bits & READ_EVENTS) != 0) {
            reg.ready |= READ;
        }
        if ((bits & WRITE_EVENTS) != 0) {
            reg.ready |= WRITE;
        }
        int pollReady = pollBits(((bits & Libc.EPOLLIN) != 0 ? Libc.POLLIN : 0) | ((bits & Libc.EPOLLOUT) != 0 ? Libc.POLLOUT : 0),
                (bits & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
                | ((bits & Libc.EPOLLRDHUP) != 0 ? NetOps.POLLIN : 0);
        // Each parked op once, in order; one that stays parked goes back to the tail, which
        // keeps the order. A completion cannot re-enter here (waking a task only queues it),
        // but a null check keeps the walk safe if one ever did.
        int blocked = 0;
        for (int i = reg.parked.size(); i > 0; i--) {
            IoOp op = reg.parked.poll();
            if (op == null) {
                break;
            }
            int direction = directionOf(op);
            boolean done;
            if (op instanceof NetOps.Poll p) {
                int ready = pollReady & p.events;
                done = ready != 0;
                if (done) {
                    op.complete(ready);
                }
            } else if ((direction & blocked) != 0 || (reg.ready & direction) == 0) {
                done = false;
            } else {
                done = attempt(reg.socket, reg, op);
                if (!done) {
                    reg.ready &= ~direction;
                    blocked |= direction;
                }
            }
            if (!done) {
                reg.parked.add(op);
            }
        }
    }

    private void drainWakeups() {
        if (wakeFd.enter()) {
            try {
                Libc.read(cs, wakeFd.fd(), scratch.asSlice(0, 8));
            } finally {
                wakeFd.exit();
            }
        }
    }

    @Override
    public void wakeup() {
        if (wakeFd.enter()) {
            try {
                Libc.eventfdSignal(wakeFd.fd());
            } finally {
                wakeFd.exit();
            }
        }
    }

    // ---- cancel and close -------------------------------------------------------------

    @Override
    protected void cancelOnLoop(IoOp op) {
        assert loop.inLoop();
        if (op.isDone()) {
            return;
        }
        if (op.handle() instanceof FdSocket s) {
            Registration reg = registrationOf(s);
            if (reg != null) {
                reg.parked.remove(op);
            }
        }
        op.complete(Op.CANCELLED);
    }

    @Override
    public void close() {
        assert loop.inLoop();
        if (closed) {
            return;
        }
        closed = true;
        for (Registration reg : byFd) {
            if (reg != null) {
                IoOp op;
                while ((op = reg.parked.poll()) != null) {
                    op.complete(Op.CANCELLED);
                }
            }
        }
        byFd = new Registration[0];
        wakeFd.close();
        Libc.close(cs, epfd);
        arena.close();
    }
}
