package io.weft.internal.backend.uring;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.FileOps;
import io.weft.internal.backend.FutexWait;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.MsgOps;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.Vectored;
import io.weft.internal.backend.fd.FdGuard;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.backend.uring.SlotTable.Slot;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.SockAddr;
import io.weft.internal.wait.Op;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One loop's io_uring backend: every op is an SQE, every result a CQE.
 *
 * <p>Thread confinement: loop thread only (asserted), except {@link #wakeup()} and
 * {@link #cancel}, which any thread may call. The kernel enforces the same for the ring
 * (IORING_SETUP_SINGLE_ISSUER), so the ring is enabled on the loop thread, by the first
 * call made there, whichever thread constructed the backend.
 */
/*
 * Overview
 *
 * An op's life:
 *
 *   submit(op)     take a slot (user_data) and, for a heap write, a bounce chunk; write
 *                  the SQE (and, for an op with a deadline, a linked LINK_TIMEOUT SQE).
 *                  Nothing reaches the kernel yet.
 *   poll(t)        one io_uring_enter: submit every queued SQE, run completion work,
 *                  wait up to t for one CQE. Then reap: for each CQE, find the slot,
 *                  finish the op (copy a heap read out, wrap an accepted fd), free the
 *                  slot and buffers, and complete the op, which unparks its task.
 *   cancelOnLoop   queue ASYNC_CANCEL naming the op's user_data. The op still ends with
 *                  its own CQE: -ECANCELED (then Op.CANCELLED), or its real result if it
 *                  had finished; its buffer is freed only then (DESIGN section 3).
 *
 * So one loop iteration costs one syscall however many ops its tasks started. A full SQ
 * is flushed with an extra submit-only enter (ensureSqSpace), never dropped; a full CQ
 * spills to the kernel's overflow list (FEAT_NODROP) and reap() drains it with a
 * GETEVENTS enter until IORING_SQ_CQ_OVERFLOW clears.
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
 *   FileOps   see UringFileOps: OPENAT, READ, WRITE, FSYNC, STATX, CLOSE, RENAMEAT,
 *             UNLINKAT, MKDIRAT on native memory the op's waiter owns
 *   FutexWait FUTEX_WAIT (6.7): futex2 flags (SIZE_U32, plus PRIVATE unless the word is
 *             shared between processes) in fd, the word in addr, the value in addr2, the
 *             match-any mask in addr3. Its -EAGAIN (the word moved on) is its result, not
 *             retried
 *
 * Writes try a direct send(2) first. A write that the socket buffer takes at once then
 * costs one syscall and no task switch, where the ring would park the task until the
 * CQE of the next loop turn; only a write that would wait (EAGAIN) goes to the ring,
 * which waits for room. It is skipped while a write of the same socket is in the ring
 * (FdSocket.ringWrites), so bytes never overtake queued ones. Reads take the ring at
 * once: in request/response traffic the bytes are rarely there yet when a task reads.
 * For the same reason a RECV on a socket that the previous RECV drained (its CQE lacked
 * IORING_CQE_F_SOCK_NONEMPTY) carries IORING_RECVSEND_POLL_FIRST, so the kernel waits
 * for data before it takes the socket lock to receive, not after a receive that failed.
 *
 * A CQE of -EAGAIN (except a FutexWait's), -EINTR or -ENOBUFS for an op nobody cancelled is retried with a
 * fresh SQE, not reported (-ENOBUFS with a bounce chunk, see Read above). On kernels
 * before 5.15, READ_FIXED / WRITE_FIXED on an O_NONBLOCK socket return -EAGAIN instead
 * of waiting, so the first such CQE also switches heap I/O to RECV / SEND for the life
 * of the backend.
 *
 * Closing: an fd the loop thread releases (FdGuard) is closed by an OP_CLOSE queued for
 * the next enter rather than by its own close(2) (see closeLater).
 *
 * Closing the backend: close() asks the kernel to cancel every op in flight and reaps
 * their CQEs for up to CLOSE_DRAIN_NANOS. An op without its CQE by then (one the kernel
 * runs on an io-wq worker and cannot interrupt, such as a read of a file on stalled
 * storage) is never completed: the kernel may write into its memory until it ends, and
 * for a read into a native segment that memory is the caller's, who must not get it back
 * before. Its waiter stays parked, and its slot and the backend's memory stay allocated.
 *
 * Cross-thread wake-up: a POLL_ADD(POLLIN) on an eventfd is kept armed; wakeup() writes
 * the eventfd at most once per armed poll (see `wake`). Rejected: IORING_OP_MSG_RING,
 * which needs a ring on the waking side, and most wakers (timers' callers, plain threads)
 * have none. Rejected: an eventfd READ op, because an O_NONBLOCK eventfd without
 * FMODE_NOWAIT support completes such a read with -EAGAIN at once.
 *
 * Deadlines (Capability.NATIVE_DEADLINES): an op whose IoOp.deadline is set gets
 * IOSQE_IO_LINK and a LINK_TIMEOUT SQE with IORING_TIMEOUT_ABS at that deadline.
 * System.nanoTime() is CLOCK_MONOTONIC on Linux, the clock io_uring timeouts use by
 * default, so the deadline passes through unchanged. If it fires, the op ends with
 * -ECANCELED and no cancel was asked: that becomes -ETIMEDOUT.
 */
final class UringBackend extends Backend {

    private static final System.Logger LOG = System.getLogger("io.weft");

    /**
     * Ring and buffer sizes of one loop.
     *
     * @param bufferSize      bytes per bounce chunk (heap writes, and heap reads when the
     *                        provided-buffer ring runs dry)
     * @param bufferCount     bounce chunks registered as fixed buffers
     * @param readBuffers     buffers in the provided-buffer ring (a power of two)
     * @param readBufferSize  bytes per provided buffer: the most one heap read returns
     * @param directWrites    writes try send(2) before the ring (see the overview)
     */
    record Config(int sqEntries, int cqEntries, int bufferSize, int bufferCount, int readBuffers, int readBufferSize,
                  boolean directWrites) {
        /**
         * 256 SQEs, 1024 CQEs; 32 bounce chunks of 32 KiB (1 MiB, pinned and charged to
         * RLIMIT_MEMLOCK); 128 provided read buffers of 16 KiB (2 MiB, not pinned). Direct
         * writes unless -Dweft.uring.directWrites=false.
         */
        static final Config DEFAULT = new Config(256, 1024, 32 * 1024, 32, 128, 16 * 1024,
                !"false".equals(System.getProperty("weft.uring.directWrites")));

        /** The same sizes; every write through the ring. */
        Config ringWritesOnly() {
            return new Config(sqEntries, cqEntries, bufferSize, bufferCount, readBuffers, readBufferSize, false);
        }
    }

    private static final int WAKE_PENDING = 1;
    private static final int WAKE_CLOSED = 2;
    private static final int WAKE_WRITER = 4;
    private static final VarHandle WAKE;

    static {
        try {
            WAKE = MethodHandles.lookup().findVarHandle(UringBackend.class, "wake", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The wake-up word, changed only by CAS and getAndAdd/getAndBitwise* (volatile):
     *
     *   bits                 meaning
     *   -------------------  --------------------------------------------------------
     *   0                    idle: the next wakeup() writes the eventfd
     *   PENDING              a write was made (or is being made) and the loop has not
     *                        yet reaped the eventfd poll it fires; wakeup() is a no-op,
     *                        since the loop is already due to return from its wait
     *   + n * WRITER         n wakers are inside write(2) on the eventfd
     *   CLOSED               the backend is closing: wakeup() is a no-op, and close()
     *                        waits for the WRITER count to drain before it closes the
     *                        eventfd, so a late write never hits a reused fd number
     *
     * wakeup() CASes a word without PENDING or CLOSED to one with PENDING and one more
     * WRITER, writes, then subtracts WRITER. When the loop reaps the eventfd's poll it
     * first drains the counter (the one write of this cycle), then clears PENDING
     * (getAndBitwiseAnd), then re-arms the poll; all before poll() returns to run tasks. A waker that saw PENDING made its task visible before that
     * read, and the read precedes the loop's clear in the synchronization order, so the
     * loop's run of its queue after poll() sees the task. A waker after the clear writes
     * afresh, and the re-armed poll fires at the next enter.
     */
    @SuppressWarnings("unused")
    private volatile int wake;

    private final UringProbe.Support support;
    private final Arena arena = Arena.ofShared();
    /** The loop thread's call-state slot for libc calls (eventfd drain, close). */
    private final MemorySegment cs;
    private final Ring ring;
    private final MemorySegment sqes;
    private final SlotTable slots;
    private final BounceBuffers buffers;
    private final ProvidedBufferRing readBuffers;
    private final int wakeFd;
    private final MemorySegment wakeBuf;
    private final boolean linkTimeouts;
    private final boolean directWrites;
    /** The kernel raises IORING_SQ_TASKRUN when completion work waits, so an idle enter can be skipped. */
    private final boolean taskrunFlag;

    // Loop thread only.
    /** Listeners with a multishot accept armed or connections queued. */
    private final Map<FdSocket, AcceptQueue> acceptQueues = new IdentityHashMap<>();
    /** Cleared for good when the kernel refuses IORING_ACCEPT_MULTISHOT. */
    private boolean multishotAccept = true;
    private long multishotArms;
    private long directSends;
    /** OP_CLOSE SQEs whose CQE has not been reaped. */
    private int pendingCloses;
    private boolean active;
    private boolean wakeArmed;
    private boolean fixedRw = true;
    private boolean reaping;
    private boolean closed;
    private long enters;
    private long wakeupsReaped;
    private long overflowFlushes;
    private long timedOutPolls;
    private long bufferSelectFallbacks;

    UringBackend(LoopContext loop, UringProbe.Support support, Config config) throws IOException {
        super(loop);
        this.support = support;
        this.cs = Libc.newCallState(arena);
        Ring r = null;
        try {
            r = Ring.open(config.sqEntries(), config.cqEntries(), support.setupFlags());
            int efd = Libc.eventfd(cs, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (efd < 0) {
                throw Errno.exception(efd, "eventfd", null);
            }
            this.wakeFd = efd;
        } catch (IOException | RuntimeException e) {
            if (r != null) {
                r.close();
            }
            arena.close();
            throw e;
        }
        this.ring = r;
        this.sqes = r.sqes();
        this.slots = new SlotTable(arena);
        this.buffers = new BounceBuffers(arena, config.bufferSize(), config.bufferCount());
        this.readBuffers = new ProvidedBufferRing(arena, config.readBuffers(), config.readBufferSize());
        this.wakeBuf = arena.allocate(ValueLayout.JAVA_LONG);
        this.linkTimeouts = support.linkTimeout();
        this.directWrites = config.directWrites();
        this.taskrunFlag = (r.flags() & UringAbi.SETUP_TASKRUN_FLAG) != 0;
        if (loop.inLoop()) {
            activate();
        }
    }

    @Override
    public String name() {
        return "io_uring";
    }

    /**
     * Enables the ring and makes the per-thread registrations, on the loop thread: with
     * SINGLE_ISSUER the enabling thread is the only one the kernel lets submit, and a
     * registered ring fd is valid only for the thread that registered it.
     */
    private void activate() {
        if (active) {
            return;
        }
        assert loop.inLoop();
        active = true;
        try {
            ring.enable();
        } catch (UringException e) {
            throw new UncheckedIOException("cannot enable the io_uring ring on " + Thread.currentThread(), e);
        }
        ring.registerRingFd();
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
        armWake();
        FdGuard.closeOnThisThreadWith(this::closeLater);
    }

    // ---- submission ------------------------------------------------------------------

    @Override
    public void submit(IoOp op) {
        assert loop.inLoop();
        if (closed) {
            op.complete(Op.CANCELLED);
            return;
        }
        activate();
        if (!op.isPending()) {
            // A cancel raced the submission: the kernel never saw the op.
            op.complete(Op.CANCELLED);
            return;
        }
        boolean fileOp = op instanceof FileOps.FileOp;
        if (op instanceof FutexWait && !support.supports(UringAbi.OP_FUTEX_WAIT)) {
            op.complete(-Errno.EOPNOTSUPP); // before Linux 6.7
            return;
        }
        boolean memoryOp = fileOp || op instanceof FutexWait;
        if (!memoryOp && !(op.handle() instanceof FdSocket)) {
            op.complete(-Errno.EBADF);
            return;
        }
        if (op instanceof AcceptQueue.Multishot m) {
            armMultishot(m.queue);
            return;
        }
        if (op instanceof NetOps.Shutdown sh && !support.supports(UringAbi.OP_SHUTDOWN)) {
            op.complete(FdSocket.shutdownNow((FdSocket) op.handle(), sh.how, cs)); // before Linux 5.11
            return;
        }
        if (!memoryOp && !(op instanceof NetOps.Read || op instanceof NetOps.Write || op instanceof NetOps.Accept
                || op instanceof NetOps.Connect || op instanceof NetOps.Poll
                || op instanceof NetOps.ReadV || op instanceof NetOps.WriteV || op instanceof NetOps.Shutdown
                || op instanceof MsgOps.SendMsg || op instanceof MsgOps.RecvMsg)) {
            op.complete(-Errno.EOPNOTSUPP);
            return;
        }
        if (op instanceof NetOps.Accept a && multishotAccept && a.deadline == Long.MAX_VALUE) {
            acceptMultishot(a);
            return;
        }
        if (op instanceof NetOps.Write w && directWrites && sendNow((FdSocket) op.handle(), w)) {
            return;
        }
        Slot slot = slots.acquire(op);
        op.backendState = slot;
        if (op instanceof NetOps.Write || op instanceof NetOps.WriteV) {
            ((FdSocket) op.handle()).ringWrites++;
        }
        issue(slot);
    }

    /**
     * Tries a write as a plain non-blocking send(2) first (see the overview). Only when no
     * write of this socket is in the ring, so bytes never overtake queued ones.
     *
     * @return true if the op is complete: sent (all or part), or failed for good
     */
    private boolean sendNow(FdSocket socket, NetOps.Write w) {
        if (socket.ringWrites != 0 || w.deadline != Long.MAX_VALUE && w.deadline - System.nanoTime() <= 0) {
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
        directSends++;
        w.complete(r);
        return true;
    }

    // ---- multishot accept (see AcceptQueue) ------------------------------------------------

    private void acceptMultishot(NetOps.Accept a) {
        FdSocket listener = (FdSocket) a.handle();
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
        a.backendState = q;
        if (acceptQueues.putIfAbsent(listener, q) == null) {
            // Counted by the listener's handle like any op, so closing the listener
            // cancels it (cancelOnLoop) before the fd is closed. If the listener is
            // already closing, that cancel retires the queue and its waiter at once.
            q.op.submitTo(this);
        } else if (!q.armed) {
            armMultishot(q);
        }
    }

    private void armMultishot(AcceptQueue q) {
        int err = ensureSqSpace(1);
        if (err < 0) {
            q.fail(err);
            return;
        }
        Slot slot = slots.acquire(q.op);
        q.op.backendState = slot;
        q.armed = true;
        multishotArms++;
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_ACCEPT, q.listener.fd(), 0, 0, 0, slot.userData(SlotTable.KIND_OP));
        SqeLayout.opFlags(sqes, sqe, UringAbi.SOCK_NONBLOCK | UringAbi.SOCK_CLOEXEC);
        SqeLayout.ioprio(sqes, sqe, UringAbi.ACCEPT_MULTISHOT);
    }

    private void onMultishotAccept(Slot slot, AcceptQueue q, int res, int flags) {
        boolean more = (flags & UringAbi.CQE_F_MORE) != 0;
        if (res >= 0) {
            q.offer(FdSocket.accepted(res, q.listener));
        } else if (res != -Errno.ECANCELED && !(res == -Errno.EINVAL && q.delivered == 0)) {
            q.fail(res); // EMFILE and the like: the accepting task decides (TcpListener backs off)
        }
        boolean withdrawn = q.op.cancelReason() != 0 || closed;
        if (more) {
            if (!withdrawn && q.ready.size() >= AcceptQueue.READY_LIMIT && !slot.cancelSent) {
                queueCancel(slot); // nobody is accepting: pause, and let the kernel's backlog hold the rest
            }
            return;
        }
        slots.release(slot);
        q.op.backendState = null;
        q.armed = false;
        if (res == -Errno.EINVAL && q.delivered == 0 && !withdrawn) {
            // The kernel predates IORING_ACCEPT_MULTISHOT: accept one shot at a time from now on.
            multishotAccept = false;
            LOG.log(System.Logger.Level.DEBUG, "io_uring: no multishot accept (needs Linux 5.19); accepting one shot at a time");
            ArrayList<NetOps.Accept> waiting = new ArrayList<>(q.waiters);
            q.waiters.clear();
            retire(q, 0);
            for (NetOps.Accept a : waiting) {
                a.backendState = null;
                submit(a);
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

    private void retire(AcceptQueue q, long result) {
        acceptQueues.remove(q.listener);
        q.retire(result);
    }

    /**
     * Writes the SQE(s) for the slot's op: for a fresh op, and again for a retry. Takes
     * the op's bounce buffer on first use; on failure to get SQ space, finishes the op
     * with that error.
     */
    private void issue(Slot slot) {
        IoOp op = slot.op;
        boolean linked = linkTimeouts && op.deadline != Long.MAX_VALUE;
        int err = ensureSqSpace(linked ? 2 : 1);
        if (err < 0) {
            finish(slot, err, 0);
            return;
        }
        int addrLen = 0;
        if (op instanceof NetOps.Connect c) {
            FdSocket socket = (FdSocket) op.handle();
            try {
                addrLen = SockAddr.encode(c.remote, socket.isInet6(), slot.scratch);
            } catch (UnresolvedAddressException e) {
                addrLen = -Errno.EINVAL;
            }
            if (addrLen < 0) {
                finish(slot, addrLen, 0);
                return;
            }
        }
        int fd = op.handle() instanceof FdSocket socket ? socket.fd() : -1;
        long userData = slot.userData(SlotTable.KIND_OP);
        long sqe = ring.nextSqe();
        switch (op) {
            case NetOps.Read r -> {
                MemorySegment b = r.buffer;
                if (b.isNative()) {
                    SqeLayout.prep(sqes, sqe, UringAbi.OP_RECV, fd, b.address(), clamp(b.byteSize()), 0, userData);
                } else {
                    prepHeapRead(slot, sqe, fd, b.byteSize(), userData);
                }
                pollFirstIfDrained(sqe, (FdSocket) op.handle());
            }
            case NetOps.ReadV r -> {
                if (Vectored.allNative(r.buffers)) {
                    int n = Vectored.iovecs(r.buffers, iovecs(slot));
                    SqeLayout.prep(sqes, sqe, UringAbi.OP_READV, fd, slot.iovecs.address(), n, 0, userData);
                } else {
                    prepHeapRead(slot, sqe, fd, Vectored.size(r.buffers), userData);
                }
            }
            case NetOps.Write w -> {
                MemorySegment b = w.buffer;
                if (b.isNative()) {
                    SqeLayout.prep(sqes, sqe, UringAbi.OP_SEND, fd, b.address(), clamp(b.byteSize()), 0, userData);
                    SqeLayout.opFlags(sqes, sqe, UringAbi.MSG_NOSIGNAL);
                } else {
                    prepBounceWrite(slot, sqe, fd, userData);
                }
            }
            case NetOps.WriteV w -> {
                if (Vectored.allNative(w.buffers)) {
                    // WRITEV cannot pass MSG_NOSIGNAL either; see WRITE_FIXED in the overview
                    int n = Vectored.iovecs(w.buffers, iovecs(slot));
                    SqeLayout.prep(sqes, sqe, UringAbi.OP_WRITEV, fd, slot.iovecs.address(), n, 0, userData);
                } else {
                    prepBounceWrite(slot, sqe, fd, userData);
                }
            }
            case NetOps.Accept a -> {
                SqeLayout.prep(sqes, sqe, UringAbi.OP_ACCEPT, fd, 0, 0, 0, userData);
                SqeLayout.opFlags(sqes, sqe, UringAbi.SOCK_NONBLOCK | UringAbi.SOCK_CLOEXEC);
            }
            case NetOps.Connect c -> {
                // addr2 (the off field) carries the address length for CONNECT
                SqeLayout.prep(sqes, sqe, UringAbi.OP_CONNECT, fd, slot.scratch.address(), 0, addrLen, userData);
            }
            case NetOps.Shutdown sh -> SqeLayout.prep(sqes, sqe, UringAbi.OP_SHUTDOWN, fd, 0, sh.how, 0, userData);
            case NetOps.Poll p -> {
                SqeLayout.prep(sqes, sqe, UringAbi.OP_POLL_ADD, fd, 0, 0, 0, userData);
                SqeLayout.opFlags(sqes, sqe, p.events & (UringAbi.POLLIN | UringAbi.POLLOUT));
            }
            case MsgOps.SendMsg m -> prepMsg(sqe, UringAbi.OP_SENDMSG, fd, m.msghdr, m.flags | UringAbi.MSG_NOSIGNAL, userData);
            case MsgOps.RecvMsg m -> prepMsg(sqe, UringAbi.OP_RECVMSG, fd, m.msghdr, m.flags | UringAbi.MSG_CMSG_CLOEXEC, userData);
            case FileOps.FileOp f -> UringFileOps.prep(sqes, sqe, f, userData);
            case FutexWait f -> {
                int futexFlags = UringAbi.FUTEX2_SIZE_U32 | (f.shared ? 0 : UringAbi.FUTEX2_PRIVATE);
                SqeLayout.prep(sqes, sqe, UringAbi.OP_FUTEX_WAIT, futexFlags, f.address, 0, Integer.toUnsignedLong(f.expected), userData);
                SqeLayout.addr3(sqes, sqe, UringAbi.FUTEX_BITSET_MATCH_ANY);
            }
            default -> throw new AssertionError("checked in submit: " + op);
        }
        slot.linked = linked;
        if (linked) {
            SqeLayout.flags(sqes, sqe, (byte) (sqes.get(ValueLayout.JAVA_BYTE, sqe + SqeLayout.FLAGS) | UringAbi.SQE_IO_LINK));
            long ts = slot.scratch.address() + SlotTable.SCRATCH_TIMESPEC;
            long deadline = Math.max(0, op.deadline);
            slot.scratch.set(ValueLayout.JAVA_LONG, SlotTable.SCRATCH_TIMESPEC + EnterArgLayout.TS_SEC, deadline / 1_000_000_000L);
            slot.scratch.set(ValueLayout.JAVA_LONG, SlotTable.SCRATCH_TIMESPEC + EnterArgLayout.TS_NSEC, deadline % 1_000_000_000L);
            long t = ring.nextSqe();
            SqeLayout.prep(sqes, t, UringAbi.OP_LINK_TIMEOUT, -1, ts, 1, 0, slot.userData(SlotTable.KIND_LINK_TIMEOUT));
            SqeLayout.opFlags(sqes, t, UringAbi.TIMEOUT_ABS);
        }
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
        if (!socket.mayHaveData && readBuffers.isRegistered() && sqes.get(ValueLayout.JAVA_BYTE, sqe + SqeLayout.OPCODE) == UringAbi.OP_RECV) {
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
     * A write from heap memory (one buffer, or several gathered): copied into a bounce
     * chunk on first issue, then WRITE_FIXED, or SEND from a spill chunk.
     */
    private void prepBounceWrite(Slot slot, long sqe, int fd, long userData) {
        boolean fresh = slot.buffer < 0;
        int id = bounce(slot);
        if (fresh) {
            MemorySegment chunk = buffers.chunk(id);
            switch (slot.op) {
                case NetOps.Write w -> {
                    slot.length = (int) Math.min(w.buffer.byteSize(), chunk.byteSize());
                    MemorySegment.copy(w.buffer, 0, chunk, 0, slot.length);
                }
                case NetOps.WriteV w -> slot.length = Vectored.gather(w.buffers, chunk);
                default -> throw new AssertionError(slot.op);
            }
        }
        if (fixedRw && buffers.isFixed(id)) {
            SqeLayout.prep(sqes, sqe, UringAbi.OP_WRITE_FIXED, fd, buffers.address(id), slot.length, 0, userData);
            SqeLayout.bufIndex(sqes, sqe, (short) 0);
        } else {
            SqeLayout.prep(sqes, sqe, UringAbi.OP_SEND, fd, buffers.address(id), slot.length, 0, userData);
            SqeLayout.opFlags(sqes, sqe, UringAbi.MSG_NOSIGNAL);
        }
    }

    /** The slot's iovec array, allocated on its first vectored op and kept with the slot. */
    private MemorySegment iovecs(Slot slot) {
        if (slot.iovecs == null) {
            slot.iovecs = arena.allocate(Vectored.IOVECS_BYTES, 8);
        }
        return slot.iovecs;
    }

    /** SENDMSG / RECVMSG: addr is the msghdr, len 1 (one msghdr), msg_flags in op_flags. */
    private void prepMsg(long sqe, byte opcode, int fd, long msghdr, int msgFlags, long userData) {
        SqeLayout.prep(sqes, sqe, opcode, fd, msghdr, 1, 0, userData);
        SqeLayout.opFlags(sqes, sqe, msgFlags);
    }

    private int bounce(Slot slot) {
        if (slot.buffer < 0) {
            slot.buffer = buffers.acquire();
        }
        return slot.buffer;
    }

    static int clamp(long size) {
        return (int) Math.min(size, Integer.MAX_VALUE);
    }

    /**
     * Makes room for {@code n} SQEs, handing queued ones to the kernel if the SQ is full.
     *
     * @return 0, or the negative errno of an enter that keeps failing
     */
    private int ensureSqSpace(int n) {
        int stalls = 0;
        while (ring.sqSpace() < n) {
            enters++;
            int r = ring.submit();
            if (r > 0 || r == -Errno.EINTR) {
                continue;
            }
            if (r == 0 || r == -Errno.EAGAIN || r == -Errno.EBUSY) {
                // The kernel took nothing: it is short of request memory, or (before 5.19)
                // it wants completions drained first. Give it room and try again.
                if (++stalls > 1000) {
                    return r == 0 ? -Errno.EAGAIN : r;
                }
                if (!reaping) {
                    enters++;
                    ring.submitAndWait(0, 0);
                    reap();
                } else {
                    Thread.onSpinWait();
                }
                continue;
            }
            return r;
        }
        return 0;
    }

    // ---- waiting and completion --------------------------------------------------------

    @Override
    public void poll(long timeoutNanos) {
        assert loop.inLoop();
        if (closed) {
            return;
        }
        activate();
        armWake();
        if (timeoutNanos <= 0 && taskrunFlag && ring.unsubmitted() == 0
                && (ring.sqFlags() & (UringAbi.SQ_TASKRUN | UringAbi.SQ_CQ_OVERFLOW)) == 0) {
            // Nothing to hand over and no completion work waiting in the kernel: the CQ is
            // all there is, and reading it needs no syscall.
            reap();
            return;
        }
        int minComplete = timeoutNanos <= 0 || ring.cqReady() > 0 ? 0 : 1;
        enters++;
        int r = ring.submitAndWait(minComplete, timeoutNanos);
        if (r < 0 && r != -Errno.ETIME && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
            throw new UncheckedIOException(new UringException("io_uring_enter", -r));
        }
        if (reap() == 0 && minComplete > 0) {
            // Ended by the timeout (or a signal). Counted rather than inferred from -ETIME,
            // which enter does not return when it also submitted SQEs.
            timedOutPolls++;
        }
    }

    @Override
    public boolean canPeekCompletions() {
        // Without IORING_SQ_TASKRUN, completions deferred to this thread (DEFER_TASKRUN)
        // would stay invisible until the next enter.
        return taskrunFlag;
    }

    @Override
    public boolean completionsReady() {
        return !closed && (ring.cqReady() > 0 || (ring.sqFlags() & (UringAbi.SQ_TASKRUN | UringAbi.SQ_CQ_OVERFLOW)) != 0);
    }

    @Override
    public boolean hasUnsubmitted() {
        return !closed && (!active || ring.unsubmitted() > 0);
    }

    /**
     * Handles every CQE there is, draining the kernel's overflow list too. Never blocks.
     *
     * @return the number of CQEs handled
     */
    private int reap() {
        assert !reaping : "reap is not re-entrant";
        reaping = true;
        int handled = 0;
        try {
            for (int round = 0; round < 64; round++) {
                int n = ring.cqReady();
                if (n == 0) {
                    if ((ring.sqFlags() & UringAbi.SQ_CQ_OVERFLOW) == 0) {
                        return handled;
                    }
                    // FEAT_NODROP kept the surplus; a GETEVENTS enter moves it into the CQ.
                    overflowFlushes++;
                    enters++;
                    ring.submitAndWait(0, 0);
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    dispatch(ring.cqeUserData(i), ring.cqeRes(i), ring.cqeFlags(i));
                }
                ring.cqAdvance(n);
                handled += n;
            }
            return handled;
        } finally {
            reaping = false;
        }
    }

    private void dispatch(long userData, int res, int flags) {
        switch (SlotTable.kind(userData)) {
            case SlotTable.KIND_OP -> {
                Slot slot = slots.lookup(userData);
                if (slot == null) {
                    assert false : "CQE for a finished op: user_data 0x" + Long.toHexString(userData);
                    return;
                }
                if (slot.op instanceof AcceptQueue.Multishot m) {
                    onMultishotAccept(slot, m.queue, res, flags);
                    return;
                }
                if ((flags & UringAbi.CQE_F_MORE) != 0) {
                    assert false : "CQE_F_MORE on a one-shot op: user_data 0x" + Long.toHexString(userData);
                    return;
                }
                IoOp op = slot.op;
                // A futex wait's EAGAIN is its answer (the word changed), not a reason to retry.
                boolean retry = res == -Errno.EAGAIN && !(op instanceof FutexWait) || res == -Errno.EINTR || res == -Errno.ENOBUFS;
                if (retry && op.cancelReason() == 0 && !closed) {
                    if ((flags & UringAbi.CQE_F_BUFFER) != 0) {
                        readBuffers.recycle(flags >>> UringAbi.CQE_BUFFER_SHIFT);
                    }
                    if (res == -Errno.ENOBUFS) {
                        slot.chunkRead = true; // the provided-buffer ring ran dry: use a bounce chunk
                        bufferSelectFallbacks++;
                    } else if (res == -Errno.EAGAIN && slot.buffer >= 0) {
                        fixedRw = false; // see the overview: old kernels and O_NONBLOCK fixed I/O
                    }
                    issue(slot);
                    return;
                }
                finish(slot, res, flags);
            }
            case SlotTable.KIND_WAKE -> onWake(res);
            case SlotTable.KIND_CLOSE -> {
                pendingCloses--;
                if (res < 0) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "io_uring: close of fd " + (int) userData + " failed: " + Errno.name(res));
                }
            }
            default -> {
                // LINK_TIMEOUT and ASYNC_CANCEL results, and zeroed SQEs: the op's own CQE says it all.
            }
        }
    }

    /** Publishes the op's result and frees its slot and buffer. */
    private void finish(Slot slot, int res, int flags) {
        IoOp op = slot.op;
        long result = res;
        Object attachment = null;
        int selected = (flags & UringAbi.CQE_F_BUFFER) != 0 ? flags >>> UringAbi.CQE_BUFFER_SHIFT : -1;
        if (res == -Errno.ECANCELED || res == -Errno.EINTR || res == -Errno.ENOBUFS) {
            if (op.cancelReason() != 0 || closed) {
                result = Op.CANCELLED; // withdrawn: by a cancel, or by close() (ENOBUFS/EINTR are not retried then)
            } else if (slot.linked && res == -Errno.ECANCELED) {
                result = -Errno.ETIMEDOUT; // the linked timeout cancelled it
            }
        } else if (res == -Errno.ENOTCONN && op instanceof NetOps.Shutdown) {
            result = 0; // the peer reset the connection already; like the JDK, nothing to do
        } else if (res >= 0) {
            if (op instanceof NetOps.Read) {
                ((FdSocket) op.handle()).mayHaveData = res == 0 || (flags & UringAbi.CQE_F_SOCK_NONEMPTY) != 0;
            }
            switch (op) {
                case NetOps.Read r when selected >= 0 -> MemorySegment.copy(readBuffers.buffer(selected), 0, r.buffer, 0, res);
                case NetOps.Read r when slot.buffer >= 0 -> MemorySegment.copy(buffers.chunk(slot.buffer), 0, r.buffer, 0, res);
                case NetOps.ReadV r when selected >= 0 -> Vectored.scatter(readBuffers.buffer(selected), res, r.buffers);
                case NetOps.ReadV r when slot.buffer >= 0 -> Vectored.scatter(buffers.chunk(slot.buffer), res, r.buffers);
                case NetOps.Accept a -> {
                    attachment = FdSocket.accepted(res, (FdSocket) op.handle());
                    result = 0;
                }
                case NetOps.Poll p -> result = readyBits(res, p.events);
                default -> {
                }
            }
        }
        if (selected >= 0) {
            readBuffers.recycle(selected);
        }
        if (slot.buffer >= 0) {
            buffers.release(slot.buffer);
        }
        if (op instanceof NetOps.Write || op instanceof NetOps.WriteV) {
            ((FdSocket) op.handle()).ringWrites--;
        }
        slots.release(slot);
        op.backendState = null;
        if (!op.complete(result, attachment) && attachment instanceof FdSocket orphan) {
            closeQuietly(orphan);
        }
    }

    /** POLL_ADD's revents as NetOps bits: an error or hang-up makes every awaited event ready. */
    private static long readyBits(int revents, int wanted) {
        int bits = revents & (UringAbi.POLLIN | UringAbi.POLLOUT);
        if ((revents & (UringAbi.POLLERR | UringAbi.POLLHUP)) != 0) {
            bits |= wanted;
        }
        return bits & wanted;
    }

    // ---- close ----------------------------------------------------------------------

    /**
     * Queues OP_CLOSE for an fd the loop thread released (see FdGuard.AsyncCloser): it
     * reaches the kernel with the loop's next enter. Nothing names the fd any more, so
     * only its number stays taken until then. Loop thread.
     */
    private boolean closeLater(int fd) {
        if (closed || !loop.inLoop() || ensureSqSpace(1) < 0) {
            return false;
        }
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_CLOSE, fd, 0, 0, 0, SlotTable.userData(SlotTable.KIND_CLOSE, 0, fd));
        pendingCloses++;
        return true;
    }

    // ---- wake-up --------------------------------------------------------------------

    @Override
    public void wakeup() {
        for (;;) {
            int w = (int) WAKE.getVolatile(this);
            if ((w & (WAKE_PENDING | WAKE_CLOSED)) != 0) {
                return;
            }
            if (WAKE.compareAndSet(this, w, (w | WAKE_PENDING) + WAKE_WRITER)) {
                break;
            }
        }
        Libc.eventfdSignal(wakeFd);
        WAKE.getAndAdd(this, -WAKE_WRITER);
    }

    private void armWake() {
        if (wakeArmed || closed || ensureSqSpace(1) < 0) {
            return;
        }
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_POLL_ADD, wakeFd, 0, 0, 0, SlotTable.userData(SlotTable.KIND_WAKE, 0, 0));
        SqeLayout.opFlags(sqes, sqe, UringAbi.POLLIN);
        wakeArmed = true;
    }

    private void onWake(int res) {
        wakeArmed = false;
        wakeupsReaped++;
        if (res > 0) {
            // Drain before clearing PENDING: while PENDING is set no other waker writes, so
            // this read takes exactly the one write that fired the poll. Clearing first
            // would let a new waker write, have its count drained here, and leave PENDING
            // set with nothing to fire the next poll: every later wakeup() would be lost.
            Libc.read(cs, wakeFd, wakeBuf);
        }
        WAKE.getAndBitwiseAnd(this, ~WAKE_PENDING); // see `wake`
        armWake();
    }

    // ---- cancellation ---------------------------------------------------------------

    @Override
    protected void cancelOnLoop(IoOp op) {
        assert loop.inLoop();
        if (op.isDone()) {
            return;
        }
        if (op.backendState instanceof AcceptQueue q) { // an accept waiting on a multishot
            q.waiters.remove(op);
            op.backendState = null;
            op.complete(Op.CANCELLED);
            return;
        }
        if (op instanceof AcceptQueue.Multishot m && !m.queue.armed) { // paused: nothing in the kernel
            retire(m.queue, Op.CANCELLED);
            return;
        }
        if (!(op.backendState instanceof Slot slot) || slot.op != op) {
            op.complete(Op.CANCELLED); // never reached the kernel
            return;
        }
        if (!slot.cancelSent) {
            queueCancel(slot);
        }
    }

    private void queueCancel(Slot slot) {
        slot.cancelSent = true;
        if (ensureSqSpace(1) < 0) {
            return; // the op keeps running and ends with its own result
        }
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_ASYNC_CANCEL, -1, slot.userData(SlotTable.KIND_OP), 0, 0,
                slot.userData(SlotTable.KIND_CANCEL));
    }

    // ---- shutdown -------------------------------------------------------------------

    /** How long close() waits for the kernel to finish ops it was asked to cancel. */
    private static final long CLOSE_DRAIN_NANOS = 5_000_000_000L;

    /** CLOSE_DRAIN_NANOS, except in tests of what close() does with ops the kernel keeps. */
    long closeDrainNanos = CLOSE_DRAIN_NANOS;

    @Override
    public void close() {
        assert loop.inLoop() || !active;
        if (closed) {
            return;
        }
        WAKE.getAndBitwiseOr(this, WAKE_CLOSED);
        for (AcceptQueue q : new ArrayList<>(acceptQueues.values())) {
            if (!q.armed) {
                retire(q, Op.CANCELLED); // armed ones retire when their cancelled SQE ends
            }
        }
        if (active) {
            slots.forEachInUse(s -> {
                if (!s.cancelSent) {
                    queueCancel(s);
                }
            });
            if (wakeArmed && ensureSqSpace(1) == 0) {
                long sqe = ring.nextSqe();
                SqeLayout.prep(sqes, sqe, UringAbi.OP_ASYNC_CANCEL, -1, SlotTable.userData(SlotTable.KIND_WAKE, 0, 0), 0, 0, 0);
            }
            closed = true;
            long deadline = System.nanoTime() + closeDrainNanos;
            while ((slots.inUse() > 0 || wakeArmed || pendingCloses > 0) && deadline - System.nanoTime() > 0) {
                enters++;
                ring.submitAndWait(1, 50_000_000L);
                reap();
            }
        }
        closed = true;
        boolean drained = slots.inUse() == 0 && !wakeArmed;
        if (slots.inUse() > 0) {
            // The kernel still owns these ops, and may still write into their memory: for a
            // read into a native segment, that is the caller's. Completing them would hand
            // the memory back while the kernel can write into it, so they stay pending and
            // their waiters stay parked. Their slots and the backend's memory stay allocated.
            LOG.log(System.Logger.Level.WARNING, "io_uring: " + slots.inUse() + " ops did not end within "
                    + closeDrainNanos / 1_000_000 + " ms of closing the loop; they are left pending, with their"
                    + " memory allocated, because the kernel may still write into it");
        }
        if (loop.inLoop()) {
            FdGuard.closeOnThisThreadWith(null);
        }
        while (((int) WAKE.getVolatile(this) & ~(WAKE_PENDING | WAKE_CLOSED)) != 0) {
            Thread.onSpinWait(); // a waker is inside write(2) on the eventfd
        }
        Libc.close(cs, wakeFd);
        ring.close();
        if (drained) {
            arena.close();
        }
    }

    private static void closeQuietly(FdSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close of an unwanted accepted socket failed", e);
        }
    }

    // ---- for tests and diagnostics ------------------------------------------------------

    /** Slots (user_data entries) held by ops in flight. Loop thread. */
    int slotsInUse() {
        return slots.inUse();
    }

    /** OP_CLOSE SQEs queued whose CQE has not been reaped yet. Loop thread. */
    int pendingCloses() {
        return pendingCloses;
    }

    /** Writes completed by a direct send(2), without the ring. Loop thread. */
    long directSends() {
        return directSends;
    }

    /** Multishot accepts handed to the kernel so far. Loop thread. */
    long multishotArms() {
        return multishotArms;
    }

    /** Listeners holding a multishot accept or queued connections. Loop thread. */
    int acceptQueues() {
        return acceptQueues.size();
    }

    /** Connections accepted by the kernel that no accept op has taken yet. Loop thread. */
    int queuedConnections() {
        return acceptQueues.values().stream().mapToInt(q -> q.ready.size()).sum();
    }

    /** Bounce buffers held by ops in flight. Loop thread. */
    int buffersInUse() {
        return buffers.inUse();
    }

    /** True if heap I/O uses registered buffers (READ_FIXED / WRITE_FIXED). Loop thread. */
    boolean fixedBuffers() {
        return fixedRw && buffers.isRegistered();
    }

    /** io_uring_enter calls made so far. Loop thread. */
    long enters() {
        return enters;
    }

    /** Times reap() found the CQ overflowed and had the kernel flush its overflow list. Loop thread. */
    long overflowFlushes() {
        return overflowFlushes;
    }

    /** Heap reads re-issued with a bounce chunk because the provided-buffer ring ran dry. Loop thread. */
    long bufferSelectFallbacks() {
        return bufferSelectFallbacks;
    }

    /** True if heap reads select provided buffers. Loop thread. */
    boolean providedReadBuffers() {
        return readBuffers.isRegistered();
    }

    /** Blocking polls that ended with no completion: by their timeout, or a signal. Loop thread. */
    long timedOutPolls() {
        return timedOutPolls;
    }

    /** Cross-thread wake-ups the loop has reaped. Loop thread. */
    long wakeupsReaped() {
        return wakeupsReaped;
    }

    Ring ring() {
        return ring;
    }

    @Override
    public String toString() {
        return "io_uring[" + support + ", loop " + loop.index() + "]";
    }
}
