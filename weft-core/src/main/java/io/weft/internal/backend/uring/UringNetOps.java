package io.weft.internal.backend.uring;

import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.MsgOps;
import io.weft.internal.backend.NetOps;
import io.weft.internal.wait.Op;
import io.weft.internal.backend.Vectored;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.backend.uring.SlotTable.Slot;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.SockAddr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The socket ops of a {@link UringBackend} ({@link NetOps}, {@link MsgOps}): their SQEs,
 * what their CQEs mean, the buffers that heap I/O goes through, writes that try send(2)
 * first, and multishot accept. The backend takes slots, links deadlines, reaps CQEs and
 * calls in here by the op's kind. Loop thread only.
 */
/*
 * Overview
 *
 * Which SQE for which op:
 *
 *   Accept    ACCEPT, flags SOCK_NONBLOCK | SOCK_CLOEXEC (an FdSocket's fd is both).
 *             Without a deadline: one multishot ACCEPT per listener (Linux 5.19) serves
 *             every accept op; connections that arrive with nobody waiting queue up to a
 *             bound (see AcceptQueue). A kernel that refuses multishot (-EINVAL before any
 *             connection) turns it off for the backend. With a deadline: one shot, with
 *             its linked timeout.
 *   Connect   CONNECT, the sockaddr in the slot's scratch memory
 *   Read      native buffer: RECV into it. Heap buffer: RECV with IOSQE_BUFFER_SELECT,
 *             so the kernel picks a buffer from the provided-buffer ring only when data
 *             arrives and a parked read holds none; copied out, and the buffer put back,
 *             when the CQE is reaped. If the ring ran dry (-ENOBUFS) or the kernel has none
 *             (before 5.19): READ_FIXED into a registered bounce chunk (RECV into a spill
 *             chunk), held until the CQE
 *   Write     native buffer: SEND with MSG_NOSIGNAL. Heap buffer: copied into a chunk,
 *             then WRITE_FIXED (SEND from a spill chunk). WRITE_FIXED cannot pass
 *             MSG_NOSIGNAL; a closed peer then raises SIGPIPE, which the JVM ignores
 *             (the JDK's own SocketChannel.write is a plain write(2) as well)
 *   Poll      POLL_ADD, one shot
 *   Shutdown  SHUTDOWN, the direction in len (5.11)
 *   ReadV     all segments native: READV over an iovec array the slot keeps. Any heap
 *             segment: as Read, then scattered from the buffer into the segments
 *   WriteV    all segments native: WRITEV. Any heap segment: gathered into a bounce
 *             chunk, then as a heap Write
 *   SendMsg   SENDMSG with MSG_NOSIGNAL; RecvMsg: RECVMSG with MSG_CMSG_CLOEXEC. The msghdr
 *             is the waiting task's native memory, alive until the final CQE (MsgOps)
 *
 * Writes try a direct send(2) first. A write that the socket buffer takes at once then
 * costs one syscall and no task switch, where the ring would park the task until the
 * CQE of the next loop turn; only a write that would wait (EAGAIN) goes to the ring,
 * which waits for room. It is skipped while a write of the same socket is in the ring
 * (SocketState.ringWrites), so bytes never overtake queued ones. Reads take the ring at
 * once: in request/response traffic the bytes are rarely there yet when a task reads.
 * For the same reason a RECV on a socket that the previous RECV drained (its CQE lacked
 * IORING_CQE_F_SOCK_NONEMPTY) carries IORING_RECVSEND_POLL_FIRST, so the kernel waits
 * for data before it takes the socket lock to receive, not after a receive that failed.
 *
 * On kernels before 5.15, READ_FIXED / WRITE_FIXED on an O_NONBLOCK socket return -EAGAIN
 * instead of waiting, so the first such CQE switches heap I/O to RECV / SEND for the life
 * of the backend (beforeRetry).
 */
final class UringNetOps {

    private static final System.Logger LOG = System.getLogger(UringNetOps.class.getName());

    /**
     * What the backend keeps on each socket it runs ops on (the socket's handle state).
     * Loop thread only.
     */
    static final class SocketState {
        /** Writes of this socket in the ring, so that a direct send never overtakes them. */
        int ringWrites;
        /**
         * Whether the socket may hold unread bytes: false once a RECV drained it (its CQE
         * lacked IORING_CQE_F_SOCK_NONEMPTY), true again after any other outcome; a
         * drained socket's next RECV polls first.
         */
        boolean mayHaveData = true;
    }

    private final UringBackend core;
    private final Ring ring;
    private final MemorySegment sqes;
    private final Arena arena;
    /** The loop thread's call-state slot for libc calls (direct sends, shutdown). */
    private final MemorySegment cs;
    private final UringStats stats;
    private final BounceBuffers buffers;
    private final ProvidedBufferRing readBuffers;
    private final boolean directWrites;

    /** Listeners with a multishot accept armed or connections queued. */
    private final Map<FdSocket, AcceptQueue> acceptQueues = new IdentityHashMap<>();
    /** Cleared for good when the kernel refuses IORING_ACCEPT_MULTISHOT. */
    private boolean multishotAccept = true;
    /** Cleared for good when a fixed read or write says EAGAIN (see the overview). */
    private boolean fixedRw = true;

    UringNetOps(UringBackend core, Ring ring, Arena arena, MemorySegment cs, UringStats stats, UringBackend.Config config) {
        this.core = core;
        this.ring = ring;
        this.sqes = ring.sqes();
        this.arena = arena;
        this.cs = cs;
        this.stats = stats;
        this.buffers = new BounceBuffers(arena, config.bufferSize(), config.bufferCount());
        this.readBuffers = new ProvidedBufferRing(arena, config.readBuffers(), config.readBufferSize());
        this.directWrites = config.directWrites();
    }

    /** Registers the bounce chunks and the provided-buffer ring; on the loop thread, once. */
    void register() {
        int r = buffers.register(ring);
        if (r < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> "io_uring: registering " + buffers.chunkSize() + "-byte bounce buffers failed ("
                    + Errno.name(r) + ", RLIMIT_MEMLOCK " + UringProbe.memlockLimit() + "); heap I/O uses unregistered buffers");
        }
        int p = readBuffers.register(ring);
        if (p < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> "io_uring: no provided-buffer ring (" + Errno.name(p)
                    + ", needs Linux 5.19); parked heap reads hold a bounce buffer");
        }
    }

    private static SocketState state(FdSocket socket) {
        return UringBackend.socketState(socket);
    }

    // ---- submission ------------------------------------------------------------------

    /** Starts a write: a direct send(2) if the socket takes it at once, else through the ring. */
    void write(FdSocket socket, NetOps.Write w) {
        SocketState st = state(socket);
        if (directWrites && sendNow(socket, st, w)) {
            return;
        }
        st.ringWrites++;
        core.start(w);
    }

    /** Starts a vectored write, always through the ring. */
    void writeV(FdSocket socket, NetOps.WriteV w) {
        state(socket).ringWrites++;
        core.start(w);
    }

    /**
     * Tries a write as a plain non-blocking send(2) first (see the overview). Only when no
     * write of this socket is in the ring, so bytes never overtake queued ones.
     *
     * @return true if the op is complete: sent (all or part), or failed for good
     */
    private boolean sendNow(FdSocket socket, SocketState st, NetOps.Write w) {
        long deadline = w.deadline();
        if (st.ringWrites != 0 || deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
            return false;
        }
        long r;
        try {
            r = Libc.send(cs, socket.fd(), w.buffer, Libc.MSG_NOSIGNAL);
        } catch (RuntimeException e) {
            return false; // a native segment this thread may not touch: the ring path copes
        }
        if (r == -Errno.EAGAIN || r == -Errno.EINTR) {
            return false; // the ring waits for room
        }
        stats.directSends++;
        w.complete(r);
        return true;
    }

    /** Starts an accept: served by the listener's multishot accept, or one shot with a deadline. */
    void accept(FdSocket listener, NetOps.Accept a) {
        if (multishotAccept && a.deadline() == Long.MAX_VALUE) {
            acceptMultishot(listener, a);
        } else {
            core.start(a);
        }
    }

    // ---- SQEs ------------------------------------------------------------------------
    // Each writes the op's SQE and returns its offset (for a linked timeout to follow),
    // or returns a negative errno without taking an SQE.

    long prepRead(Slot slot, NetOps.Read r, FdSocket socket, long userData) {
        long sqe = ring.nextSqe();
        MemorySegment b = r.buffer;
        if (b.isNative()) {
            SqeLayout.prep(sqes, sqe, UringAbi.OP_RECV, socket.fd(), b.address(), UringBackend.clamp(b.byteSize()), 0, userData);
        } else {
            prepHeapRead(slot, sqe, socket.fd(), b.byteSize(), userData);
        }
        pollFirstIfDrained(sqe, socket);
        return sqe;
    }

    long prepReadV(Slot slot, NetOps.ReadV r, FdSocket socket, long userData) {
        long sqe = ring.nextSqe();
        if (Vectored.allNative(r.buffers)) {
            prepVectored(slot, sqe, UringAbi.OP_READV, socket.fd(), r.buffers, userData);
        } else {
            prepHeapRead(slot, sqe, socket.fd(), Vectored.size(r.buffers), userData);
        }
        return sqe;
    }

    long prepWrite(Slot slot, NetOps.Write w, FdSocket socket, long userData) {
        long sqe = ring.nextSqe();
        MemorySegment b = w.buffer;
        if (b.isNative()) {
            SqeLayout.prep(sqes, sqe, UringAbi.OP_SEND, socket.fd(), b.address(), UringBackend.clamp(b.byteSize()), 0, userData);
            SqeLayout.opFlags(sqes, sqe, UringAbi.MSG_NOSIGNAL);
        } else {
            if (slot.buffer < 0) {
                MemorySegment chunk = buffers.chunk(bounce(slot));
                slot.length = (int) Math.min(b.byteSize(), chunk.byteSize());
                MemorySegment.copy(b, 0, chunk, 0, slot.length);
            }
            prepBounceWrite(slot, sqe, socket.fd(), userData);
        }
        return sqe;
    }

    long prepWriteV(Slot slot, NetOps.WriteV w, FdSocket socket, long userData) {
        long sqe = ring.nextSqe();
        if (Vectored.allNative(w.buffers)) {
            // WRITEV cannot pass MSG_NOSIGNAL either; see WRITE_FIXED in the overview
            prepVectored(slot, sqe, UringAbi.OP_WRITEV, socket.fd(), w.buffers, userData);
        } else {
            if (slot.buffer < 0) {
                slot.length = Vectored.gather(w.buffers, buffers.chunk(bounce(slot)));
            }
            prepBounceWrite(slot, sqe, socket.fd(), userData);
        }
        return sqe;
    }

    long prepAccept(FdSocket listener, long userData) {
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_ACCEPT, listener.fd(), 0, 0, 0, userData);
        SqeLayout.opFlags(sqes, sqe, UringAbi.SOCK_NONBLOCK | UringAbi.SOCK_CLOEXEC);
        return sqe;
    }

    long prepConnect(Slot slot, NetOps.Connect c, FdSocket socket, long userData) {
        int addrLen;
        try {
            addrLen = SockAddr.encode(c.remote, socket.isInet6(), slot.scratch);
        } catch (UnresolvedAddressException e) {
            addrLen = -Errno.EINVAL;
        }
        if (addrLen < 0) {
            return addrLen;
        }
        long sqe = ring.nextSqe();
        // addr2 (the off field) carries the address length for CONNECT
        SqeLayout.prep(sqes, sqe, UringAbi.OP_CONNECT, socket.fd(), slot.scratch.address(), 0, addrLen, userData);
        return sqe;
    }

    long prepShutdown(NetOps.Shutdown sh, FdSocket socket, long userData) {
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_SHUTDOWN, socket.fd(), 0, sh.how, 0, userData);
        return sqe;
    }

    long prepPoll(NetOps.Poll p, FdSocket socket, long userData) {
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_POLL_ADD, socket.fd(), 0, 0, 0, userData);
        SqeLayout.opFlags(sqes, sqe, p.events & (UringAbi.POLLIN | UringAbi.POLLOUT));
        return sqe;
    }

    /** SENDMSG / RECVMSG: addr is the msghdr, len 1 (one msghdr), msg_flags in op_flags. */
    long prepMsg(byte opcode, FdSocket socket, long msghdr, int msgFlags, long userData) {
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, opcode, socket.fd(), msghdr, 1, 0, userData);
        SqeLayout.opFlags(sqes, sqe, msgFlags);
        return sqe;
    }

    /**
     * Sets IORING_RECVSEND_POLL_FIRST on a RECV when the socket's last receive drained it:
     * the kernel then arms poll at once instead of first trying a receive that, in
     * request/response traffic, finds nothing and takes the socket lock for it. A socket
     * that may hold bytes is read at once. The flag is a hint: with it, data that is
     * already there still completes the RECV without waiting. READ_FIXED (whose ioprio
     * means I/O priority) never gets it, nor a kernel before 5.19, which refuses it.
     */
    private void pollFirstIfDrained(long sqe, FdSocket socket) {
        // a registered provided-buffer ring means 5.19+, which knows the flag
        if (!state(socket).mayHaveData && readBuffers.isRegistered()
                && sqes.get(ValueLayout.JAVA_BYTE, sqe + SqeLayout.OPCODE) == UringAbi.OP_RECV) {
            SqeLayout.ioprio(sqes, sqe, UringAbi.RECVSEND_POLL_FIRST);
        }
    }

    /**
     * A read into heap memory: RECV with a provided buffer picked when data arrives, or,
     * when the provided-buffer ring ran dry or is missing, into a bounce chunk.
     */
    private void prepHeapRead(Slot slot, long sqe, int fd, long wanted, long userData) {
        if (readBuffers.isRegistered() && !slot.chunkRead) {
            // The kernel picks a buffer when data arrives; the CQE names it.
            int len = (int) Math.min(wanted, readBuffers.bufferSize());
            SqeLayout.prep(sqes, sqe, UringAbi.OP_RECV, fd, 0, len, 0, userData);
            SqeLayout.flags(sqes, sqe, UringAbi.SQE_BUFFER_SELECT);
            SqeLayout.bufIndex(sqes, sqe, ProvidedBufferRing.GROUP); // buf_group shares the field
            return;
        }
        int id = bounce(slot);
        int len = (int) Math.min(wanted, buffers.chunkSize());
        if (fixedRw && buffers.isFixed(id)) {
            // off 0: sockets are not seekable, and sock_read_iter refuses any other position
            SqeLayout.prep(sqes, sqe, UringAbi.OP_READ_FIXED, fd, buffers.address(id), len, 0, userData);
            SqeLayout.bufIndex(sqes, sqe, (short) 0);
        } else {
            SqeLayout.prep(sqes, sqe, UringAbi.OP_RECV, fd, buffers.address(id), len, 0, userData);
        }
    }

    /**
     * A write from the slot's bounce chunk, which holds the heap bytes (copied in on first
     * issue): WRITE_FIXED, or SEND from a spill chunk.
     */
    private void prepBounceWrite(Slot slot, long sqe, int fd, long userData) {
        int id = slot.buffer;
        if (fixedRw && buffers.isFixed(id)) {
            SqeLayout.prep(sqes, sqe, UringAbi.OP_WRITE_FIXED, fd, buffers.address(id), slot.length, 0, userData);
            SqeLayout.bufIndex(sqes, sqe, (short) 0);
        } else {
            SqeLayout.prep(sqes, sqe, UringAbi.OP_SEND, fd, buffers.address(id), slot.length, 0, userData);
            SqeLayout.opFlags(sqes, sqe, UringAbi.MSG_NOSIGNAL);
        }
    }

    /**
     * READV / WRITEV over native segments, through the slot's iovec array (allocated on its
     * first vectored op and kept with the slot).
     */
    private void prepVectored(Slot slot, long sqe, byte opcode, int fd, MemorySegment[] segments, long userData) {
        if (slot.iovecs == null) {
            slot.iovecs = arena.allocate(Vectored.IOVECS_BYTES, 8);
        }
        int n = Vectored.iovecs(segments, slot.iovecs);
        SqeLayout.prep(sqes, sqe, opcode, fd, slot.iovecs.address(), n, 0, userData);
    }

    private int bounce(Slot slot) {
        if (slot.buffer < 0) {
            slot.buffer = buffers.acquire();
        }
        return slot.buffer;
    }

    // ---- completion ------------------------------------------------------------------

    /**
     * Before an op is issued again after -EAGAIN, -EINTR or -ENOBUFS: puts back a provided
     * buffer the CQE named, and picks the buffers of the next try.
     */
    void beforeRetry(Slot slot, int res, int flags) {
        if ((flags & UringAbi.CQE_F_BUFFER) != 0) {
            readBuffers.recycle(flags >>> UringAbi.CQE_BUFFER_SHIFT);
        }
        if (res == -Errno.ENOBUFS) {
            slot.chunkRead = true; // the provided-buffer ring ran dry: use a bounce chunk
            stats.bufferSelectFallbacks++;
        } else if (res == -Errno.EAGAIN && slot.buffer >= 0) {
            fixedRw = false; // see the overview: old kernels and O_NONBLOCK fixed I/O
        }
    }

    /** A read's CQE of {@code res >= 0} bytes: copies heap bytes out, and notes whether the socket drained. */
    void readDone(Slot slot, NetOps.Read r, int res, int flags) {
        state((FdSocket) r.handle()).mayHaveData = res == 0 || (flags & UringAbi.CQE_F_SOCK_NONEMPTY) != 0;
        int selected = selectedBuffer(flags);
        if (selected >= 0) {
            MemorySegment.copy(readBuffers.buffer(selected), 0, r.buffer, 0, res);
        } else if (slot.buffer >= 0) {
            MemorySegment.copy(buffers.chunk(slot.buffer), 0, r.buffer, 0, res);
        }
    }

    /** A vectored read's CQE of {@code res >= 0} bytes: scatters heap bytes into the segments. */
    void readVDone(Slot slot, NetOps.ReadV r, int res, int flags) {
        int selected = selectedBuffer(flags);
        if (selected >= 0) {
            Vectored.scatter(readBuffers.buffer(selected), res, r.buffers);
        } else if (slot.buffer >= 0) {
            Vectored.scatter(buffers.chunk(slot.buffer), res, r.buffers);
        }
    }

    /** A write's final CQE, whatever its result. */
    void writeDone(IoOp w) {
        state((FdSocket) w.handle()).ringWrites--;
    }

    /** Gives back the buffers the op's CQE and slot held. */
    void releaseBuffers(Slot slot, int flags) {
        int selected = selectedBuffer(flags);
        if (selected >= 0) {
            readBuffers.recycle(selected);
        }
        if (slot.buffer >= 0) {
            buffers.release(slot.buffer);
        }
    }

    private static int selectedBuffer(int flags) {
        return (flags & UringAbi.CQE_F_BUFFER) != 0 ? flags >>> UringAbi.CQE_BUFFER_SHIFT : -1;
    }

    /** POLL_ADD's revents as NetOps bits: an error or hang-up makes every awaited event ready. */
    static long readyBits(int revents, int wanted) {
        int bits = revents & (UringAbi.POLLIN | UringAbi.POLLOUT);
        if ((revents & (UringAbi.POLLERR | UringAbi.POLLHUP)) != 0) {
            bits |= wanted;
        }
        return bits & wanted;
    }

    // ---- multishot accept (see AcceptQueue) --------------------------------------------

    private void acceptMultishot(FdSocket listener, NetOps.Accept a) {
        AcceptQueue q = acceptQueues.get(listener);
        if (q != null && !q.ready.isEmpty()) {
            FdSocket s = q.ready.poll();
            if (!a.complete(0, s)) {
                q.ready.addFirst(s);
            }
            return;
        }
        q = q != null ? q : new AcceptQueue(listener);
        q.waiters.add(a);
        if (acceptQueues.putIfAbsent(listener, q) == null) {
            // Counted by the listener's handle like any op, so closing the listener
            // cancels it (cancelOnLoop) before the fd is closed. If the listener is
            // already closing, that cancel retires the queue and its waiter at once.
            q.op.submitTo(core);
        } else if (!q.armed) {
            armMultishot(q);
        }
    }

    /** Hands the listener's multishot ACCEPT to the kernel. */
    void armMultishot(AcceptQueue q) {
        int err = core.ensureSqSpace(1);
        if (err < 0) {
            q.fail(err);
            return;
        }
        Slot slot = core.takeSlot(q.op);
        q.armed = true;
        stats.multishotArms++;
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_ACCEPT, q.listener.fd(), 0, 0, 0, slot.userData(SlotTable.KIND_OP));
        SqeLayout.opFlags(sqes, sqe, UringAbi.SOCK_NONBLOCK | UringAbi.SOCK_CLOEXEC);
        SqeLayout.ioprio(sqes, sqe, UringAbi.ACCEPT_MULTISHOT);
    }

    /** One CQE of a listener's multishot ACCEPT: a connection, an error, or its end. */
    void onMultishotAccept(Slot slot, AcceptQueue q, int res, int flags) {
        boolean more = (flags & UringAbi.CQE_F_MORE) != 0;
        if (res >= 0) {
            q.offer(FdSocket.accepted(res, q.listener));
        } else if (res != -Errno.ECANCELED && !(res == -Errno.EINVAL && q.delivered == 0)) {
            q.fail(res); // EMFILE and the like: the accepting task decides (TcpListener backs off)
        }
        boolean withdrawn = q.op.cancelReason() != 0 || core.isClosed();
        if (more) {
            if (!withdrawn && q.ready.size() >= AcceptQueue.READY_LIMIT && !slot.cancelSent) {
                core.queueCancel(slot); // nobody is accepting: pause, and let the kernel's backlog hold the rest
            }
            return;
        }
        core.freeSlot(slot);
        q.armed = false;
        if (res == -Errno.EINVAL && q.delivered == 0 && !withdrawn) {
            // The kernel predates IORING_ACCEPT_MULTISHOT: accept one shot at a time from now on.
            multishotAccept = false;
            LOG.log(System.Logger.Level.DEBUG, "io_uring: no multishot accept (needs Linux 5.19); accepting one shot at a time");
            ArrayList<NetOps.Accept> waiting = new ArrayList<>(q.waiters);
            q.waiters.clear();
            retire(q, 0);
            for (NetOps.Accept a : waiting) {
                core.submit(a);
            }
            return;
        }
        if (withdrawn) {
            retire(q, Op.CANCELLED);
        } else if (!q.waiters.isEmpty()) {
            armMultishot(q);
        } else if (q.ready.isEmpty()) {
            retire(q, 0);
        }
    }

    /**
     * Withdraws an accept that waits on a listener's multishot (it holds no slot).
     *
     * @return true if it was waiting there
     */
    boolean forgetWaiter(NetOps.Accept a) {
        AcceptQueue q = acceptQueues.get((FdSocket) a.handle());
        return q != null && q.waiters.remove(a);
    }

    /** Cancels a paused multishot, which has nothing in the kernel. @return false if it is armed */
    boolean cancelPaused(AcceptQueue.Multishot m) {
        if (m.queue.armed) {
            return false;
        }
        retire(m.queue, Op.CANCELLED);
        return true;
    }

    /** On closing the backend: retires the paused queues (armed ones retire when their cancelled SQE ends). */
    void retirePaused() {
        for (AcceptQueue q : new ArrayList<>(acceptQueues.values())) {
            if (!q.armed) {
                retire(q, Op.CANCELLED);
            }
        }
    }

    private void retire(AcceptQueue q, long result) {
        acceptQueues.remove(q.listener);
        q.retire(result);
    }

    static void closeQuietly(FdSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close of an unwanted accepted socket failed", e);
        }
    }

    // ---- for tests and diagnostics ------------------------------------------------------

    /** Listeners holding a multishot accept or queued connections. */
    int acceptQueues() {
        return acceptQueues.size();
    }

    /** Connections accepted by the kernel that no accept op has taken yet. */
    int queuedConnections() {
        return acceptQueues.values().stream().mapToInt(q -> q.ready.size()).sum();
    }

    /** Bounce buffers held by ops in flight. */
    int buffersInUse() {
        return buffers.inUse();
    }

    /** True if heap I/O uses registered buffers (READ_FIXED / WRITE_FIXED). */
    boolean fixedBuffers() {
        return fixedRw && buffers.isRegistered();
    }

    /** True if heap reads select provided buffers. */
    boolean providedReadBuffers() {
        return readBuffers.isRegistered();
    }
}
