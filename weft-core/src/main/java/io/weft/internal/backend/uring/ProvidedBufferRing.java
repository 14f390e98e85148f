package io.weft.internal.backend.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Buffers the kernel picks for heap reads at the moment data arrives (a provided-buffer
 * ring, IORING_REGISTER_PBUF_RING). Loop thread only.
 *
 * <p>A parked read should hold no memory: a connection may sit idle for hours with a read
 * waiting on it. So a heap read is a RECV with IOSQE_BUFFER_SELECT, and only its CQE says
 * which buffer the bytes are in; the loop copies them into the task's array and puts the
 * buffer straight back.
 */
/*
 * Overview
 *
 *   entries[i]   io_uring_buf {addr, len, bid}: we write them, the kernel reads them
 *   tail         u16 in entries[0].resv: ours. Write entries[tail & mask], then setRelease
 *                (tail + 1), which pairs with the kernel's smp_load_acquire of the tail when
 *                it selects a buffer (io_ring_buffer_select): the entry is visible first
 *   head         the kernel's own, not shared: it advances as it takes buffers
 *
 * Every buffer is either in the ring or named by exactly one CQE, and reap() puts it back
 * before moving to the next CQE, so the ring only runs dry if one batch of CQEs holds more
 * reads than there are buffers. The kernel then completes the read with -ENOBUFS and the
 * backend re-issues it with a bounce chunk, so nothing fails.
 *
 * Rejected: registered bounce chunks for reads (held from submission to completion, so
 * every idle connection pins a chunk), and a POLL_ADD followed by a plain recv (two kernel
 * round trips per read).
 */
final class ProvidedBufferRing {

    /** The buffer group id the ring is registered as; SQEs name it in buf_group. */
    static final short GROUP = 0;

    /** The u16 tail at entries[0].resv; aligned, so release/acquire access works. */
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private final int entries;
    private final int mask;
    private final int bufferSize;
    private final MemorySegment ring;
    private final MemorySegment buffers;
    private short tail;
    private boolean registered;

    /** @param entries a power of two, at most 32768 */
    ProvidedBufferRing(Arena arena, int entries, int bufferSize) {
        if (Integer.bitCount(entries) != 1 || entries > 32768) {
            throw new IllegalArgumentException("entries must be a power of two up to 32768: " + entries);
        }
        this.entries = entries;
        this.mask = entries - 1;
        this.bufferSize = bufferSize;
        this.ring = arena.allocate(BufRingLayout.BUF_SIZE * entries, 4096); // the kernel wants it page-aligned
        this.buffers = arena.allocate((long) bufferSize * entries, 64);
    }

    /**
     * Registers the ring and hands the kernel every buffer. On the ring's thread, once.
     *
     * @return 0, or the negative errno of the registration (before 5.19: EINVAL); heap
     *         reads then use bounce chunks
     */
    int register(Ring uring) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(BufRingLayout.REG);
            reg.set(ValueLayout.JAVA_LONG, BufRingLayout.REG_RING_ADDR, ring.address());
            reg.set(ValueLayout.JAVA_INT, BufRingLayout.REG_RING_ENTRIES, entries);
            reg.set(ValueLayout.JAVA_SHORT, BufRingLayout.REG_BGID, GROUP);
            int r = uring.register(UringAbi.REGISTER_PBUF_RING, reg, 1);
            if (r < 0) {
                return r;
            }
        }
        registered = true;
        for (int bid = 0; bid < entries; bid++) {
            put(bid);
        }
        return 0;
    }

    boolean isRegistered() {
        return registered;
    }

    int bufferSize() {
        return bufferSize;
    }

    /** Buffer {@code bid}'s memory, to copy a completed read out of. */
    MemorySegment buffer(int bid) {
        return buffers.asSlice((long) bid * bufferSize, bufferSize);
    }

    /** Gives buffer {@code bid} back to the kernel, after the CQE that named it. */
    void recycle(int bid) {
        put(bid);
    }

    private void put(int bid) {
        long e = (long) (tail & mask) * BufRingLayout.BUF_SIZE;
        ring.set(ValueLayout.JAVA_LONG, e + BufRingLayout.BUF_ADDR, buffers.address() + (long) bid * bufferSize);
        ring.set(ValueLayout.JAVA_INT, e + BufRingLayout.BUF_LEN, bufferSize);
        ring.set(ValueLayout.JAVA_SHORT, e + BufRingLayout.BUF_BID, (short) bid);
        tail++;
        SHORT.setRelease(ring, BufRingLayout.RING_TAIL, tail); // see overview: tail
    }
}
