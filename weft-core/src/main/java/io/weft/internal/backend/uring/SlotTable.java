package io.weft.internal.backend.uring;

import io.weft.internal.backend.IoOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Maps the {@code user_data} of a CQE back to the op it completes. Loop thread only.
 *
 * <p>Each op in flight holds one {@link Slot} from submission until its final CQE. Slots
 * are reused, so after warm-up nothing is allocated per op; {@link #inUse()} counts them so
 * tests can prove none leaked.
 */
/*
 * Overview
 *
 * user_data, 64 bits:
 *
 *   63        56 55                    32 31                             0
 *   +-----------+------------------------+-------------------------------+
 *   |   kind    |  generation (24 bits)  |          slot index           |
 *   +-----------+------------------------+-------------------------------+
 *
 *   kind   OP            the op's own CQE: completes the op, frees the slot
 *          LINK_TIMEOUT  the CQE of the op's linked timeout: carries nothing we need
 *          CANCEL        the CQE of an ASYNC_CANCEL: carries nothing we need
 *          WAKE          the eventfd read that cross-thread wake-ups complete
 *          CLOSE         an OP_CLOSE of a released fd; the index field holds the fd
 *
 * A slot's generation advances each time it is freed, so a CQE naming an earlier use of
 * the slot is recognised (lookup returns null) instead of completing the wrong op. Zero is
 * never a valid user_data (kind 0), so an SQE left zeroed (a NOP) is ignored.
 *
 * Free slots form a stack: the most recently freed is reused first, which keeps the
 * working set small and its scratch memory warm in cache.
 *
 * Each slot owns SCRATCH bytes of native memory for what the kernel reads by pointer (a
 * sockaddr for connect, a timespec for a linked timeout). It is allocated in blocks of
 * BLOCK slots that never move or shrink, because the kernel may read it until the op's
 * final CQE.
 *
 * Rejected: a HashMap<Long, IoOp>. It allocates per op (boxing, entries) and hashes on the
 * hottest path; an index in the user_data makes the lookup one array load.
 */
final class SlotTable {

    static final int KIND_OP = 1;
    static final int KIND_LINK_TIMEOUT = 2;
    static final int KIND_CANCEL = 3;
    static final int KIND_WAKE = 4;
    static final int KIND_CLOSE = 5;

    /** Native scratch per slot: sockaddr (up to 128 bytes: sockaddr_un is 110) at 0, timespec (16 bytes) at 128. */
    static final long SCRATCH = 160;
    static final long SCRATCH_SOCKADDR = 0;
    static final long SCRATCH_TIMESPEC = 128;

    private static final int BLOCK = 64;
    private static final int GENERATION_MASK = 0xff_ffff;
    private static final int MAX_SLOTS = 1 << 24;

    /** One op in flight. Fields are the loop thread's. */
    static final class Slot {
        final int index;
        final MemorySegment scratch;
        int generation;
        IoOp op;
        /** The bounce buffer the op reads into or writes from, or -1. */
        int buffer = -1;
        /** The length of the SQE's transfer (a bounce write copies this much in). */
        int length;
        /** An ASYNC_CANCEL naming this slot was queued. */
        boolean cancelSent;
        /** A LINK_TIMEOUT follows the op's SQE. */
        boolean linked;
        /** The provided-buffer ring ran dry for this read: it reads into a bounce chunk instead. */
        boolean chunkRead;
        /** An iovec array for vectored ops, made on the slot's first one and reused after. */
        MemorySegment iovecs;

        Slot(int index, MemorySegment scratch) {
            this.index = index;
            this.scratch = scratch;
        }

        /** The user_data of this use of the slot, for an SQE of {@code kind}. */
        long userData(int kind) {
            return SlotTable.userData(kind, generation, index);
        }
    }

    private final Arena arena;
    private Slot[] slots = new Slot[0];
    private int[] free = new int[0];
    private int freeTop;
    private int inUse;

    /** @param arena where scratch memory comes from; it must outlive every op in flight */
    SlotTable(Arena arena) {
        this.arena = arena;
    }

    static long userData(int kind, int generation, int index) {
        return ((long) kind << 56) | ((long) (generation & GENERATION_MASK) << 32) | (index & 0xffff_ffffL);
    }

    static int kind(long userData) {
        return (int) (userData >>> 56);
    }

    /** Takes a free slot for {@code op}, growing the table if none is free. */
    Slot acquire(IoOp op) {
        if (freeTop == 0) {
            grow();
        }
        Slot s = slots[free[--freeTop]];
        s.op = op;
        inUse++;
        return s;
    }

    /** Gives {@code s} back after its op's final CQE. */
    void release(Slot s) {
        assert s.op != null : "slot " + s.index + " released twice";
        s.op = null;
        s.buffer = -1;
        s.length = 0;
        s.cancelSent = false;
        s.linked = false;
        s.chunkRead = false;
        s.generation = (s.generation + 1) & GENERATION_MASK;
        free[freeTop++] = s.index;
        inUse--;
    }

    /** The slot an OP (or LINK_TIMEOUT, CANCEL) user_data names, or null if that use of it is over. */
    Slot lookup(long userData) {
        int index = (int) userData;
        int generation = (int) (userData >>> 32) & GENERATION_MASK;
        if (index < 0 || index >= slots.length) {
            return null;
        }
        Slot s = slots[index];
        return s.op != null && s.generation == generation ? s : null;
    }

    /** Slots held by ops in flight. */
    int inUse() {
        return inUse;
    }

    /** Slots made so far (in use or free). */
    int capacity() {
        return slots.length;
    }

    /** Calls {@code action} on every slot in use. */
    void forEachInUse(Consumer<Slot> action) {
        for (Slot s : slots) {
            if (s.op != null) {
                action.accept(s);
            }
        }
    }

    private void grow() {
        int old = slots.length;
        if (old + BLOCK > MAX_SLOTS) {
            throw new IllegalStateException("more than " + MAX_SLOTS + " io_uring ops in flight on one loop");
        }
        MemorySegment block = arena.allocate(SCRATCH * BLOCK, 8);
        slots = Arrays.copyOf(slots, old + BLOCK);
        free = Arrays.copyOf(free, old + BLOCK);
        // Push in reverse so the lowest index is handed out first.
        for (int i = BLOCK - 1; i >= 0; i--) {
            int index = old + i;
            slots[index] = new Slot(index, block.asSlice(SCRATCH * i, SCRATCH));
            free[freeTop++] = index;
        }
    }
}
