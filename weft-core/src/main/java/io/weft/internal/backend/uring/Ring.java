package io.weft.internal.backend.uring;

import io.weft.internal.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance: its submission queue, completion queue and SQE array mapped into
 * this process, and the calls that move entries through them.
 *
 * <p>Thread confinement: after {@link #open}, one thread at a time. With
 * IORING_SETUP_SINGLE_ISSUER that thread is fixed by the kernel: the one that calls
 * {@link #enable()} (the ring is opened disabled on whatever thread makes the backend).
 * The backend asserts it is on its loop before every call here.
 */
/*
 * Overview
 *
 * Two single-producer single-consumer queues shared with the kernel:
 *
 *   SQ   we produce: write SQEs, then publish sq.tail; the kernel consumes and moves sq.head
 *   CQ   the kernel produces: writes CQEs, then cq.tail; we consume and move cq.head
 *
 * Memory ordering, each of our accesses paired with the kernel's (io_uring/io_uring.c):
 *
 *   sq.tail   setRelease in publish()       pairs with smp_load_acquire(&rings->sq.tail) in
 *                                           io_sqring_entries(): the SQE bytes are visible first
 *   sq.head   getAcquire in sqSpace()       pairs with smp_store_release(&rings->sq.head) in
 *                                           io_commit_sqring(): an SQE slot we refill was read
 *   cq.tail   getAcquire in cqReady()       pairs with smp_store_release(&rings->cq.tail) in
 *                                           io_commit_cqring(): CQE bytes are visible to us
 *   cq.head   setRelease in cqAdvance()     pairs with the kernel's read of cq.head before it
 *                                           reuses a CQE slot: our reads of the CQEs come first
 *   sq.flags  getAcquire in sqFlags()       pairs with the kernel's atomic_or/andnot of
 *                                           IORING_SQ_CQ_OVERFLOW and IORING_SQ_TASKRUN
 *
 * sqeTail counts SQEs handed out and cqHead CQEs consumed; both are plain fields of the
 * one owning thread. SQEs are handed out in ring order, so the SQ index array is filled
 * once with the identity (array[i] = i) and never written again.
 *
 * A full SQ is not an error: sqSpace() tells the caller, which flushes with submit() and
 * asks again, so no SQE is ever dropped. The kernel has FEAT_NODROP (required by the probe),
 * so a full CQ is not an error either: the kernel keeps the surplus on an overflow list,
 * raises IORING_SQ_CQ_OVERFLOW, and moves it into the CQ on the next GETEVENTS enter.
 *
 * Rejected: publishing sq.tail after every SQE. The kernel reads the tail only inside
 * io_uring_enter (no SQPOLL), so one release store per enter is enough.
 */
final class Ring implements AutoCloseable {

    /** Aligned 32-bit access to the shared ring words; coordinates (segment, offset). */
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final int flags;
    private final int features;
    private final int sqEntries;
    private final int cqEntries;

    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;

    private final int sqMask;
    private final int cqMask;
    private final long sqHead;
    private final long sqTail;
    private final long sqFlagsOff;
    private final long sqDropped;
    private final long cqHeadOff;
    private final long cqTailOff;
    private final long cqOverflowOff;
    private final long cqesOff;

    /** SQEs handed out by nextSqe(); published to the kernel as sq.tail by publish(). */
    private int sqeTail;
    /** CQEs consumed; published to the kernel as cq.head by cqAdvance(). */
    private int cqHead;

    /** The fd argument for enter: the ring fd, or its index among this thread's registered rings. */
    private int enterFd;
    private int enterFlags;
    /** The fd argument for register, and the opcode bit that says it is a registered index. */
    private int registerFd;
    private int registerFlag;
    private int registeredIndex = -1;
    private boolean enabled;
    private boolean closed;

    // Scratch for the calls, owned by the ring's thread: the call-state slot (errno) and
    // the structs that enter and register take by pointer.
    private final MemorySegment cs;
    private final MemorySegment getEventsArg;
    private final MemorySegment timespec;
    private final MemorySegment rsrcUpdate;

    private Ring(int fd, MemorySegment params, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqes,
                 MemorySegment cs) {
        this.fd = fd;
        this.flags = params.get(ValueLayout.JAVA_INT, ParamsLayout.FLAGS);
        this.features = params.get(ValueLayout.JAVA_INT, ParamsLayout.FEATURES);
        this.sqEntries = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_ENTRIES);
        this.cqEntries = params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_ENTRIES);
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.sqMask = sqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_RING_MASK));
        this.cqMask = cqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_RING_MASK));
        this.sqHead = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_HEAD);
        this.sqTail = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_TAIL);
        this.sqFlagsOff = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_FLAGS);
        this.sqDropped = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_DROPPED);
        this.cqHeadOff = params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_HEAD);
        this.cqTailOff = params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_TAIL);
        this.cqOverflowOff = params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_OVERFLOW);
        this.cqesOff = params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_CQES);
        long array = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(ValueLayout.JAVA_INT, array + 4L * i, i);
        }
        this.sqeTail = (int) INT.getAcquire(sqRing, sqTail);
        this.cqHead = (int) INT.getAcquire(cqRing, cqHeadOff);
        this.enterFd = fd;
        this.registerFd = fd;
        this.enabled = (flags & UringAbi.SETUP_R_DISABLED) == 0;
        this.cs = cs;
        this.getEventsArg = arena.allocate(EnterArgLayout.GETEVENTS_ARG);
        this.timespec = arena.allocate(EnterArgLayout.TIMESPEC);
        this.rsrcUpdate = arena.allocate(EnterArgLayout.RSRC_UPDATE);
        getEventsArg.set(ValueLayout.JAVA_LONG, EnterArgLayout.ARG_TS, timespec.address());
    }

    /**
     * Sets up a ring and maps it.
     *
     * @param entries   SQ size (the kernel rounds up to a power of two)
     * @param cqEntries CQ size, or 0 for the kernel's default (twice the SQ)
     * @param flags     IORING_SETUP_* flags; CQSIZE is added when {@code cqEntries > 0}
     * @throws UringException with the errno of the failed setup or mmap
     */
    static Ring open(int entries, int cqEntries, int flags) throws UringException {
        Arena scratch = Arena.ofShared();
        MemorySegment cs = Libc.newCallState(Arena.ofAuto());
        int fd = -1;
        try {
            MemorySegment params = scratch.allocate(ParamsLayout.LAYOUT);
            if (cqEntries > 0) {
                flags |= UringAbi.SETUP_CQSIZE;
                params.set(ValueLayout.JAVA_INT, ParamsLayout.CQ_ENTRIES, cqEntries);
            }
            params.set(ValueLayout.JAVA_INT, ParamsLayout.FLAGS, flags);
            fd = UringSyscalls.setup(cs, entries, params);
            if (fd < 0) {
                throw new UringException("io_uring_setup", -fd);
            }
            int feats = params.get(ValueLayout.JAVA_INT, ParamsLayout.FEATURES);
            int sqN = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_ENTRIES);
            int cqN = params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_ENTRIES);
            long sqSize = params.get(ValueLayout.JAVA_INT, ParamsLayout.SQ_ARRAY) + 4L * sqN;
            long cqSize = params.get(ValueLayout.JAVA_INT, ParamsLayout.CQ_CQES) + CqeLayout.SIZE * cqN;
            MemorySegment sq;
            MemorySegment cq;
            if ((feats & UringAbi.FEAT_SINGLE_MMAP) != 0) {
                sq = UringSyscalls.mmap(cs, fd, Math.max(sqSize, cqSize), UringAbi.OFF_SQ_RING);
                cq = sq;
            } else {
                sq = UringSyscalls.mmap(cs, fd, sqSize, UringAbi.OFF_SQ_RING);
                try {
                    cq = UringSyscalls.mmap(cs, fd, cqSize, UringAbi.OFF_CQ_RING);
                } catch (UringException e) {
                    UringSyscalls.munmap(cs, sq);
                    throw e;
                }
            }
            MemorySegment sqes;
            try {
                sqes = UringSyscalls.mmap(cs, fd, SqeLayout.SIZE * sqN, UringAbi.OFF_SQES);
            } catch (UringException e) {
                UringSyscalls.munmap(cs, sq);
                if (cq != sq) {
                    UringSyscalls.munmap(cs, cq);
                }
                throw e;
            }
            return new Ring(fd, params, sq, cq, sqes, cs);
        } catch (UringException | RuntimeException | Error e) {
            if (fd >= 0) {
                Libc.close(cs, fd);
            }
            throw e;
        } finally {
            scratch.close();
        }
    }

    int fd() {
        return fd;
    }

    /** The IORING_SETUP_* flags the ring was made with. */
    int flags() {
        return flags;
    }

    /** The IORING_FEAT_* bits the kernel reported. */
    int features() {
        return features;
    }

    int sqEntries() {
        return sqEntries;
    }

    int cqEntries() {
        return cqEntries;
    }

    /** The mapped SQE array; {@link #nextSqe()} gives offsets into it. */
    MemorySegment sqes() {
        return sqes;
    }

    /** True once the ring accepts submissions (it was not made disabled, or {@link #enable} ran). */
    boolean isEnabled() {
        return enabled;
    }

    /**
     * Enables a ring made with IORING_SETUP_R_DISABLED. With SINGLE_ISSUER, the calling
     * thread becomes the only one the kernel lets submit and wait.
     */
    void enable() throws UringException {
        if (enabled) {
            return;
        }
        int r = UringSyscalls.register(cs, fd, UringAbi.REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0);
        if (r < 0) {
            throw new UringException("io_uring_register(ENABLE_RINGS)", -r);
        }
        enabled = true;
    }

    /**
     * Registers the ring fd with the calling thread (IORING_REGISTER_RING_FDS), so enter
     * skips the fd table lookup. The registration belongs to the calling thread: only it may
     * use the index, which is why the ring is then confined to it.
     *
     * @return false if the kernel cannot (before 5.18, or the thread's 16 slots are taken);
     *         the ring keeps working through its fd
     */
    boolean registerRingFd() {
        if (registeredIndex >= 0) {
            return true;
        }
        rsrcUpdate.set(ValueLayout.JAVA_INT, EnterArgLayout.RSRC_OFFSET, -1); // any free slot
        rsrcUpdate.set(ValueLayout.JAVA_LONG, EnterArgLayout.RSRC_DATA, fd);
        int r = UringSyscalls.register(cs, fd, UringAbi.REGISTER_RING_FDS, rsrcUpdate, 1);
        if (r != 1) {
            return false;
        }
        registeredIndex = rsrcUpdate.get(ValueLayout.JAVA_INT, EnterArgLayout.RSRC_OFFSET);
        enterFd = registeredIndex;
        enterFlags = UringAbi.ENTER_REGISTERED_RING;
        if ((features & UringAbi.FEAT_REG_REG_RING) != 0) {
            registerFd = registeredIndex;
            registerFlag = UringAbi.REGISTER_USE_REGISTERED_RING;
        }
        return true;
    }

    /** True if enter goes through a registered ring index. */
    boolean usesRegisteredFd() {
        return registeredIndex >= 0;
    }

    /** io_uring_register on this ring: an opcode-specific count, or -errno. */
    int register(int opcode, MemorySegment arg, int nrArgs) {
        return UringSyscalls.register(cs, registerFd, opcode | registerFlag, arg, nrArgs);
    }

    // ---- submission queue -------------------------------------------------------------

    /** How many SQEs {@link #nextSqe()} may hand out before a {@link #submit()}. */
    int sqSpace() {
        int head = (int) INT.getAcquire(sqRing, sqHead); // see overview: sq.head
        return sqEntries - (sqeTail - head);
    }

    /**
     * Hands out the next SQE as a byte offset into {@link #sqes()}. The caller fills every
     * field it needs (see {@link SqeLayout#prep}); the kernel sees it at the next enter.
     * Only after {@link #sqSpace()} said there is room.
     */
    long nextSqe() {
        assert sqSpace() > 0 : "SQ full";
        long off = (long) (sqeTail & sqMask) * SqeLayout.SIZE;
        sqeTail++;
        return off;
    }

    /** SQEs handed out that the kernel has not consumed yet. */
    int unsubmitted() {
        return sqeTail - (int) INT.getAcquire(sqRing, sqHead);
    }

    private int publish() {
        INT.setRelease(sqRing, sqTail, sqeTail); // see overview: sq.tail
        return unsubmitted();
    }

    /** Hands every SQE out so far to the kernel without waiting: the count consumed, or -errno. */
    int submit() {
        int n = publish();
        return UringSyscalls.enter(cs, enterFd, n, 0, enterFlags, MemorySegment.NULL, 0);
    }

    /**
     * Hands every SQE out so far to the kernel, runs completion work and waits until at least
     * {@code minComplete} CQEs are ready or {@code timeoutNanos} passed: one syscall.
     *
     * @param timeoutNanos relative; {@code Long.MAX_VALUE} waits without limit
     * @return the count of SQEs consumed, or -errno (-ETIME when the timeout passed, -EINTR
     *         on a signal; both are ordinary)
     */
    int submitAndWait(int minComplete, long timeoutNanos) {
        int n = publish();
        int fl = enterFlags | UringAbi.ENTER_GETEVENTS;
        MemorySegment arg = MemorySegment.NULL;
        long argSize = 0;
        if (minComplete > 0 && timeoutNanos != Long.MAX_VALUE) {
            long t = Math.max(0, timeoutNanos);
            timespec.set(ValueLayout.JAVA_LONG, EnterArgLayout.TS_SEC, t / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, EnterArgLayout.TS_NSEC, t % 1_000_000_000L);
            arg = getEventsArg;
            argSize = EnterArgLayout.GETEVENTS_ARG.byteSize();
            fl |= UringAbi.ENTER_EXT_ARG;
        }
        return UringSyscalls.enter(cs, enterFd, n, minComplete, fl, arg, argSize);
    }

    /** The SQ ring's flags word (IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN). */
    int sqFlags() {
        return (int) INT.getAcquire(sqRing, sqFlagsOff); // see overview: sq.flags
    }

    /** SQEs the kernel dropped as invalid (a bad index in the SQ array); always 0 here. */
    int sqDropped() {
        return (int) INT.getAcquire(sqRing, sqDropped);
    }

    // ---- completion queue -------------------------------------------------------------

    /** CQEs ready to read, at indexes 0 .. n-1 relative to the consumed head. */
    int cqReady() {
        return (int) INT.getAcquire(cqRing, cqTailOff) - cqHead; // see overview: cq.tail
    }

    private long cqe(int i) {
        return cqesOff + (long) ((cqHead + i) & cqMask) * CqeLayout.SIZE;
    }

    long cqeUserData(int i) {
        return cqRing.get(ValueLayout.JAVA_LONG, cqe(i) + CqeLayout.USER_DATA);
    }

    int cqeRes(int i) {
        return cqRing.get(ValueLayout.JAVA_INT, cqe(i) + CqeLayout.RES);
    }

    int cqeFlags(int i) {
        return cqRing.get(ValueLayout.JAVA_INT, cqe(i) + CqeLayout.FLAGS);
    }

    /** Marks {@code n} CQEs consumed; their slots go back to the kernel. */
    void cqAdvance(int n) {
        cqHead += n;
        INT.setRelease(cqRing, cqHeadOff, cqHead); // see overview: cq.head
    }

    /**
     * CQEs the kernel could not post at all, even on its overflow list (out of memory).
     * With FEAT_NODROP this stays 0; tests assert it.
     */
    int cqOverflowDropped() {
        return (int) INT.getAcquire(cqRing, cqOverflowOff);
    }

    /** Unregisters the ring fd, unmaps the rings and closes the fd. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registeredIndex >= 0) {
            // The thread's registration holds a reference to the ring file: without this the
            // ring would live on until the thread exits.
            rsrcUpdate.set(ValueLayout.JAVA_INT, EnterArgLayout.RSRC_OFFSET, registeredIndex);
            rsrcUpdate.set(ValueLayout.JAVA_LONG, EnterArgLayout.RSRC_DATA, 0L);
            UringSyscalls.register(cs, fd, UringAbi.UNREGISTER_RING_FDS, rsrcUpdate, 1);
            registeredIndex = -1;
        }
        UringSyscalls.munmap(cs, sqes);
        UringSyscalls.munmap(cs, sqRing);
        if (cqRing != sqRing) {
            UringSyscalls.munmap(cs, cqRing);
        }
        Libc.close(cs, fd);
        arena.close();
    }
}
