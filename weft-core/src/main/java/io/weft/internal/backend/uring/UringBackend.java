package io.weft.internal.backend.uring;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendOp;
import io.weft.internal.backend.FileOps;
import io.weft.internal.backend.FutexWait;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.MsgOps;
import io.weft.internal.backend.NetOps;
import io.weft.internal.wait.Op;
import io.weft.internal.backend.fd.FdGuard;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.backend.uring.SlotTable.Slot;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One loop's io_uring backend: every op is an SQE, every result a CQE. This class is the
 * submission and completion core; {@link UringNetOps} and {@link UringFileOps} write the
 * SQEs of socket and file ops, and {@link UringWaker} lets other threads wake the loop.
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
 * An op's kind matters at three moments, each one exhaustive switch over the sealed
 * IoOp, so the compiler names all three for a new kind: submit (how the op starts:
 * through the ring, or served without it), issue (which SQE; run again for a retry) and
 * finish (what the CQE means). The SQEs themselves are written by UringNetOps (socket
 * ops, see its overview), UringFileOps (file ops) and prepFutex:
 *
 *   FutexWait FUTEX_WAIT (6.7): futex2 flags (SIZE_U32, plus PRIVATE unless the word is
 *             shared between processes) in fd, the word in addr, the value in addr2, the
 *             match-any mask in addr3. Its -EAGAIN (the word moved on) is its result, not
 *             retried
 *
 * A CQE of -EAGAIN (except a FutexWait's), -EINTR or -ENOBUFS for an op nobody cancelled
 * is retried with a fresh SQE, not reported (UringNetOps.beforeRetry picks its buffers).
 *
 * Per-op and per-socket state stays in the backend: an op's Slot is its opState, and a
 * socket's UringNetOps.SocketState its handleState (see Backend).
 *
 * Closing: an fd the loop thread releases (FdGuard) is closed by an OP_CLOSE queued for
 * the next enter rather than by its own close(2) (see closeLater).
 *
 * Closing the backend: close() asks the kernel to cancel every op in flight and reaps
 * their CQEs for up to Config.closeDrainNanos (5 s). An op without its CQE by then (one the kernel
 * runs on an io-wq worker and cannot interrupt, such as a read of a file on stalled
 * storage) is never completed: the kernel may write into its memory until it ends, and
 * for a read into a native segment that memory is the caller's, who must not get it back
 * before. Its waiter stays parked, and its slot and the backend's memory stay allocated.
 *
 * Cross-thread wake-up: see UringWaker.
 *
 * Deadlines (Capability.NATIVE_DEADLINES): an op whose IoOp.deadline() is set gets
 * IOSQE_IO_LINK and a LINK_TIMEOUT SQE with IORING_TIMEOUT_ABS at that deadline.
 * System.nanoTime() is CLOCK_MONOTONIC on Linux, the clock io_uring timeouts use by
 * default, so the deadline passes through unchanged. If it fires, the op ends with
 * -ECANCELED and no cancel was asked: that becomes -ETIMEDOUT.
 */
final class UringBackend extends Backend {

    private static final System.Logger LOG = System.getLogger(UringBackend.class.getName());

    /**
     * Ring and buffer sizes of one loop.
     *
     * @param bufferSize      bytes per bounce chunk (heap writes, and heap reads when the
     *                        provided-buffer ring runs dry)
     * @param bufferCount     bounce chunks registered as fixed buffers
     * @param readBuffers     buffers in the provided-buffer ring (a power of two)
     * @param readBufferSize  bytes per provided buffer: the most one heap read returns
     * @param directWrites    writes try send(2) before the ring (see UringNetOps)
     * @param closeDrainNanos how long close() waits for the kernel to end the ops it
     *                        was asked to cancel
     */
    record Config(int sqEntries, int cqEntries, int bufferSize, int bufferCount, int readBuffers, int readBufferSize,
                  boolean directWrites, long closeDrainNanos) {

        /** 5 s: ample for the kernel to cancel what it can; what it cannot is left pending. */
        private static final long CLOSE_DRAIN_NANOS = 5_000_000_000L;

        Config(int sqEntries, int cqEntries, int bufferSize, int bufferCount, int readBuffers, int readBufferSize,
               boolean directWrites) {
            this(sqEntries, cqEntries, bufferSize, bufferCount, readBuffers, readBufferSize, directWrites, CLOSE_DRAIN_NANOS);
        }

        /**
         * 256 SQEs, 1024 CQEs; 32 bounce chunks of 32 KiB (1 MiB, pinned and charged to
         * RLIMIT_MEMLOCK); 128 provided read buffers of 16 KiB (2 MiB, not pinned). Direct
         * writes unless -Dweft.uring.directWrites=false.
         */
        static final Config DEFAULT = new Config(256, 1024, 32 * 1024, 32, 128, 16 * 1024,
                !"false".equals(System.getProperty("weft.uring.directWrites")));

        /** The same sizes; every write through the ring. */
        Config ringWritesOnly() {
            return new Config(sqEntries, cqEntries, bufferSize, bufferCount, readBuffers, readBufferSize, false, closeDrainNanos);
        }

        /** The same, with another close() drain (tests of what close() does with ops the kernel keeps). */
        Config withCloseDrain(long nanos) {
            return new Config(sqEntries, cqEntries, bufferSize, bufferCount, readBuffers, readBufferSize, directWrites, nanos);
        }
    }

    private final UringProbe.Support support;
    private final Arena arena = Arena.ofShared();
    /** The loop thread's call-state slot for libc calls (eventfd drain, close, shutdown). */
    private final MemorySegment cs;
    private final Ring ring;
    private final MemorySegment sqes;
    private final SlotTable slots;
    private final UringWaker waker;
    private final UringNetOps net;
    private final UringStats stats = new UringStats();
    private final boolean linkTimeouts;
    private final boolean shutdownOp;
    private final boolean futexOp;
    /** The kernel raises IORING_SQ_TASKRUN when completion work waits, so an idle enter can be skipped. */
    private final boolean taskrunFlag;
    private final long closeDrainNanos;

    // Loop thread only.
    /** OP_CLOSE SQEs whose CQE has not been reaped. */
    private int pendingCloses;
    private boolean active;
    private boolean reaping;
    private boolean closed;

    UringBackend(LoopContext loop, UringProbe.Support support, Config config) throws IOException {
        super(loop);
        this.support = support;
        this.cs = Libc.newCallState(arena);
        Ring r = null;
        try {
            r = Ring.open(config.sqEntries(), config.cqEntries(), support.setupFlags());
            this.waker = new UringWaker(arena, cs);
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
        this.net = new UringNetOps(this, r, arena, cs, stats, config);
        this.linkTimeouts = support.linkTimeout();
        this.shutdownOp = support.supports(UringAbi.OP_SHUTDOWN);
        this.futexOp = support.supports(UringAbi.OP_FUTEX_WAIT);
        this.taskrunFlag = (r.flags() & UringAbi.SETUP_TASKRUN_FLAG) != 0;
        this.closeDrainNanos = config.closeDrainNanos();
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
        net.register();
        armWake();
        FdGuard.closeOnThisThreadWith(this::closeLater);
    }

    /** What this backend keeps on {@code socket}, made on the first op that needs it. Loop thread. */
    static UringNetOps.SocketState socketState(FdSocket socket) {
        if (handleState(socket) instanceof UringNetOps.SocketState st) {
            return st;
        }
        UringNetOps.SocketState st = new UringNetOps.SocketState();
        handleState(socket, st);
        return st;
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
        switch (op) {
            case NetOps.Read _, NetOps.ReadV _, NetOps.Connect _, NetOps.Poll _, MsgOps.SendMsg _, MsgOps.RecvMsg _ -> {
                if (socketOf(op) != null) {
                    start(op);
                }
            }
            case NetOps.Write w -> {
                if (socketOf(w) instanceof FdSocket s) {
                    net.write(s, w);
                }
            }
            case NetOps.WriteV w -> {
                if (socketOf(w) instanceof FdSocket s) {
                    net.writeV(s, w);
                }
            }
            case NetOps.Accept a -> {
                if (socketOf(a) instanceof FdSocket s) {
                    net.accept(s, a);
                }
            }
            case NetOps.Shutdown sh -> {
                if (socketOf(sh) instanceof FdSocket s) {
                    if (shutdownOp) {
                        start(sh);
                    } else {
                        sh.complete(FdSocket.shutdownNow(s, sh.how, cs)); // before Linux 5.11
                    }
                }
            }
            case FileOps.FileOp f -> start(f);
            case FutexWait f -> {
                if (futexOp) {
                    start(f);
                } else {
                    f.complete(-Errno.EOPNOTSUPP); // before Linux 6.7
                }
            }
            case AcceptQueue.Multishot m -> net.armMultishot(m.queue);
            case BackendOp b -> b.complete(-Errno.EOPNOTSUPP); // another backend's
        }
    }

    /** The op's socket, or null after completing the op with EBADF if its handle is none of ours. */
    private static FdSocket socketOf(IoOp op) {
        if (op.handle() instanceof FdSocket s) {
            return s;
        }
        op.complete(-Errno.EBADF);
        return null;
    }

    /** Starts {@code op} through the ring: gives it a slot and writes its SQE. */
    void start(IoOp op) {
        issue(takeSlot(op));
    }

    /** Takes a slot for {@code op} and records it as the op's state. */
    Slot takeSlot(IoOp op) {
        Slot slot = slots.acquire(op);
        opState(op, slot);
        return slot;
    }

    /** Frees the slot after its op's final CQE. */
    void freeSlot(Slot slot) {
        opState(slot.op, null);
        slots.release(slot);
    }

    /**
     * Writes the SQE(s) for the slot's op: for a fresh op, and again for a retry. On
     * failure to get SQ space, or an op the kernel must not see, finishes the op with
     * that error.
     */
    private void issue(Slot slot) {
        IoOp op = slot.op;
        boolean linked = linkTimeouts && op.deadline() != Long.MAX_VALUE;
        int err = ensureSqSpace(linked ? 2 : 1);
        if (err < 0) {
            finish(slot, err, 0);
            return;
        }
        long userData = slot.userData(SlotTable.KIND_OP);
        long sqe = switch (op) {
            case NetOps.Read r -> net.prepRead(slot, r, (FdSocket) r.handle(), userData);
            case NetOps.ReadV r -> net.prepReadV(slot, r, (FdSocket) r.handle(), userData);
            case NetOps.Write w -> net.prepWrite(slot, w, (FdSocket) w.handle(), userData);
            case NetOps.WriteV w -> net.prepWriteV(slot, w, (FdSocket) w.handle(), userData);
            case NetOps.Accept a -> net.prepAccept((FdSocket) a.handle(), userData);
            case NetOps.Connect c -> net.prepConnect(slot, c, (FdSocket) c.handle(), userData);
            case NetOps.Shutdown sh -> net.prepShutdown(sh, (FdSocket) sh.handle(), userData);
            case NetOps.Poll p -> net.prepPoll(p, (FdSocket) p.handle(), userData);
            case MsgOps.SendMsg m -> net.prepMsg(UringAbi.OP_SENDMSG, (FdSocket) m.handle(), m.msghdr,
                    m.flags | UringAbi.MSG_NOSIGNAL, userData);
            case MsgOps.RecvMsg m -> net.prepMsg(UringAbi.OP_RECVMSG, (FdSocket) m.handle(), m.msghdr,
                    m.flags | UringAbi.MSG_CMSG_CLOEXEC, userData);
            case FileOps.FileOp f -> UringFileOps.prep(sqes, ring.nextSqe(), f, userData);
            case FutexWait f -> prepFutex(ring.nextSqe(), f, userData);
            case BackendOp b -> throw new AssertionError("not issued through a slot: " + b);
        };
        if (sqe < 0) {
            finish(slot, (int) sqe, 0);
            return;
        }
        slot.linked = linked;
        if (linked) {
            SqeLayout.flags(sqes, sqe, (byte) (sqes.get(ValueLayout.JAVA_BYTE, sqe + SqeLayout.FLAGS) | UringAbi.SQE_IO_LINK));
            long ts = slot.scratch.address() + SlotTable.SCRATCH_TIMESPEC;
            long deadline = Math.max(0, op.deadline());
            slot.scratch.set(ValueLayout.JAVA_LONG, SlotTable.SCRATCH_TIMESPEC + EnterArgLayout.TS_SEC, deadline / 1_000_000_000L);
            slot.scratch.set(ValueLayout.JAVA_LONG, SlotTable.SCRATCH_TIMESPEC + EnterArgLayout.TS_NSEC, deadline % 1_000_000_000L);
            long t = ring.nextSqe();
            SqeLayout.prep(sqes, t, UringAbi.OP_LINK_TIMEOUT, -1, ts, 1, 0, slot.userData(SlotTable.KIND_LINK_TIMEOUT));
            SqeLayout.opFlags(sqes, t, UringAbi.TIMEOUT_ABS);
        }
    }

    private long prepFutex(long sqe, FutexWait f, long userData) {
        int futexFlags = UringAbi.FUTEX2_SIZE_U32 | (f.shared ? 0 : UringAbi.FUTEX2_PRIVATE);
        SqeLayout.prep(sqes, sqe, UringAbi.OP_FUTEX_WAIT, futexFlags, f.address, 0, Integer.toUnsignedLong(f.expected), userData);
        SqeLayout.addr3(sqes, sqe, UringAbi.FUTEX_BITSET_MATCH_ANY);
        return sqe;
    }

    static int clamp(long size) {
        return (int) Math.min(size, Integer.MAX_VALUE);
    }

    /**
     * Makes room for {@code n} SQEs, handing queued ones to the kernel if the SQ is full.
     *
     * @return 0, or the negative errno of an enter that keeps failing
     */
    int ensureSqSpace(int n) {
        int stalls = 0;
        while (ring.sqSpace() < n) {
            stats.enters++;
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
                    stats.enters++;
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
        stats.enters++;
        int r = ring.submitAndWait(minComplete, timeoutNanos);
        if (r < 0 && r != -Errno.ETIME && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
            throw new UncheckedIOException(new UringException("io_uring_enter", -r));
        }
        if (reap() == 0 && minComplete > 0) {
            // Ended by the timeout (or a signal). Counted rather than inferred from -ETIME,
            // which enter does not return when it also submitted SQEs.
            stats.timedOutPolls++;
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
                    stats.overflowFlushes++;
                    stats.enters++;
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

    /** Routes one CQE by its user_data: to its op, the waker, or a pending close. */
    private void dispatch(long userData, int res, int flags) {
        switch (SlotTable.kind(userData)) {
            case SlotTable.KIND_OP -> {
                Slot slot = slots.lookup(userData);
                if (slot == null) {
                    assert false : "CQE for a finished op: user_data 0x" + Long.toHexString(userData);
                    return;
                }
                if (slot.op instanceof AcceptQueue.Multishot m) {
                    net.onMultishotAccept(slot, m.queue, res, flags);
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
                    net.beforeRetry(slot, res, flags);
                    issue(slot);
                    return;
                }
                finish(slot, res, flags);
            }
            case SlotTable.KIND_WAKE -> {
                stats.wakeupsReaped++;
                waker.onFired(res);
                armWake();
            }
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

    /** Publishes the op's result and frees its slot and buffers. */
    private void finish(Slot slot, int res, int flags) {
        IoOp op = slot.op;
        long result = res;
        Object attachment = null;
        if (res == -Errno.ECANCELED || res == -Errno.EINTR || res == -Errno.ENOBUFS) {
            if (op.cancelReason() != 0 || closed) {
                result = Op.CANCELLED; // withdrawn: by a cancel, or by close() (ENOBUFS/EINTR are not retried then)
            } else if (slot.linked && res == -Errno.ECANCELED) {
                result = -Errno.ETIMEDOUT; // the linked timeout cancelled it
            }
        }
        switch (op) {
            case NetOps.Read r -> {
                if (res >= 0) {
                    net.readDone(slot, r, res, flags);
                }
            }
            case NetOps.ReadV r -> {
                if (res >= 0) {
                    net.readVDone(slot, r, res, flags);
                }
            }
            case NetOps.Write _, NetOps.WriteV _ -> net.writeDone(op);
            case NetOps.Accept a -> {
                if (res >= 0) {
                    attachment = FdSocket.accepted(res, (FdSocket) a.handle());
                    result = 0;
                }
            }
            case NetOps.Poll p -> {
                if (res >= 0) {
                    result = UringNetOps.readyBits(res, p.events);
                }
            }
            case NetOps.Shutdown _ -> {
                if (res == -Errno.ENOTCONN) {
                    result = 0; // the peer reset the connection already; like the JDK, nothing to do
                }
            }
            case NetOps.Connect _, MsgOps.SendMsg _, MsgOps.RecvMsg _, FileOps.FileOp _, FutexWait _, BackendOp _ -> {
                // the result as the kernel gave it
            }
        }
        net.releaseBuffers(slot, flags);
        freeSlot(slot);
        if (!op.complete(result, attachment) && attachment instanceof FdSocket orphan) {
            UringNetOps.closeQuietly(orphan);
        }
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
        waker.wakeup();
    }

    private void armWake() {
        if (waker.armed() || closed || ensureSqSpace(1) < 0) {
            return;
        }
        waker.prepArm(sqes, ring.nextSqe());
    }

    // ---- cancellation ---------------------------------------------------------------

    @Override
    protected void cancelOnLoop(IoOp op) {
        assert loop.inLoop();
        if (op.isDone()) {
            return;
        }
        if (opState(op) instanceof Slot slot && slot.op == op) {
            if (!slot.cancelSent) {
                queueCancel(slot);
            }
            return;
        }
        if (op instanceof AcceptQueue.Multishot m) {
            if (net.cancelPaused(m)) { // paused: nothing in the kernel
                return;
            }
        } else if (op instanceof NetOps.Accept a) {
            net.forgetWaiter(a); // an accept waiting on a multishot
        }
        op.complete(Op.CANCELLED); // never reached the kernel
    }

    void queueCancel(Slot slot) {
        slot.cancelSent = true;
        if (ensureSqSpace(1) < 0) {
            return; // the op keeps running and ends with its own result
        }
        long sqe = ring.nextSqe();
        SqeLayout.prep(sqes, sqe, UringAbi.OP_ASYNC_CANCEL, -1, slot.userData(SlotTable.KIND_OP), 0, 0,
                slot.userData(SlotTable.KIND_CANCEL));
    }

    boolean isClosed() {
        return closed;
    }

    // ---- shutdown -------------------------------------------------------------------

    @Override
    public void close() {
        assert loop.inLoop() || !active;
        if (closed) {
            return;
        }
        waker.shutDown();
        net.retirePaused();
        if (active) {
            slots.forEachInUse(s -> {
                if (!s.cancelSent) {
                    queueCancel(s);
                }
            });
            if (waker.armed() && ensureSqSpace(1) == 0) {
                long sqe = ring.nextSqe();
                SqeLayout.prep(sqes, sqe, UringAbi.OP_ASYNC_CANCEL, -1, UringWaker.USER_DATA, 0, 0, 0);
            }
            closed = true;
            long deadline = System.nanoTime() + closeDrainNanos;
            while ((slots.inUse() > 0 || waker.armed() || pendingCloses > 0) && deadline - System.nanoTime() > 0) {
                stats.enters++;
                ring.submitAndWait(1, 50_000_000L);
                reap();
            }
        }
        closed = true;
        boolean drained = slots.inUse() == 0 && !waker.armed();
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
        waker.close();
        ring.close();
        if (drained) {
            arena.close();
        }
    }

    // ---- for tests and diagnostics ------------------------------------------------------
    // Counters are in stats(); these read the backend's state. Loop thread.

    /** Event counters. */
    UringStats stats() {
        return stats;
    }

    /** Slots (user_data entries) held by ops in flight. */
    int slotsInUse() {
        return slots.inUse();
    }

    /** OP_CLOSE SQEs queued whose CQE has not been reaped yet. */
    int pendingCloses() {
        return pendingCloses;
    }

    /** The socket ops' part: accept queues and buffers. */
    UringNetOps net() {
        return net;
    }

    Ring ring() {
        return ring;
    }

    @Override
    public String toString() {
        return "io_uring[" + support + ", loop " + loop.index() + "]";
    }
}
