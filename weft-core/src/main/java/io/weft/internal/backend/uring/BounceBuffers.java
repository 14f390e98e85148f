package io.weft.internal.backend.uring;

import io.weft.internal.linux.Errno;

import io.weft.internal.linux.IovecLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The loop's bounce buffers: native chunks that heap {@code byte[]} / {@code ByteBuffer}
 * I/O goes through, since the kernel cannot be handed a pointer into the Java heap for the
 * life of an asynchronous op (the GC may move the array). Loop thread only.
 *
 * <p>The first {@code count} chunks are one region registered with the ring
 * (IORING_REGISTER_BUFFERS, buffer index 0), so READ_FIXED / WRITE_FIXED skip pinning and
 * mapping the pages on every op. When every registered chunk is busy, a <em>spill</em>
 * chunk is taken: plain native memory, made on first need and kept for reuse. If
 * registration fails (RLIMIT_MEMLOCK, which is charged for pinned pages), every chunk works
 * as a spill chunk: slower by a page walk per op, never wrong.
 */
/*
 * Overview
 *
 *   id 0 .. count-1        registered region, chunk i at base + i * chunkSize
 *   id count ..            spill chunks, one allocation each, kept for reuse
 *
 * Free ids of each kind sit on a stack (most recently freed first). A chunk is taken when
 * an op's SQE is written and given back only after that op's final CQE, because the
 * kernel may read or write it until then (DESIGN section 3).
 *
 * Sizing: registered memory is pinned and counted against RLIMIT_MEMLOCK (8 MiB on many
 * distributions and containers) by every loop of the process, so the default is small:
 * 32 chunks of 32 KiB = 1 MiB per loop. A larger heap transfer is done in chunk-sized
 * pieces: a read returns what fit, and a write reports a short count, as the SPI allows.
 */
final class BounceBuffers {

    private final Arena arena;
    private final int chunkSize;
    private final int count;
    private final MemorySegment region;
    private final int[] free;
    private int freeTop;
    private boolean registered;

    private final List<MemorySegment> spill = new ArrayList<>();
    private int[] spillFree = new int[0];
    private int spillFreeTop;
    private int inUse;

    BounceBuffers(Arena arena, int chunkSize, int count) {
        this.arena = arena;
        this.chunkSize = chunkSize;
        this.count = count;
        this.region = count == 0 ? MemorySegment.NULL : arena.allocate((long) chunkSize * count, 4096);
        this.free = new int[count];
        for (int i = count - 1; i >= 0; i--) {
            free[freeTop++] = i;
        }
    }

    /**
     * Registers the region with {@code ring}. On the ring's own thread, once.
     *
     * @return 0, or the negative errno of the failed registration (the chunks then work
     *         as plain memory)
     */
    int register(Ring ring) {
        if (count == 0) {
            return -Errno.EINVAL;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(IovecLayout.LAYOUT);
            iov.set(ValueLayout.JAVA_LONG, IovecLayout.BASE, region.address());
            iov.set(ValueLayout.JAVA_LONG, IovecLayout.LEN, region.byteSize());
            int r = ring.register(UringAbi.REGISTER_BUFFERS, iov, 1);
            registered = r >= 0;
            return Math.min(r, 0);
        }
    }

    boolean isRegistered() {
        return registered;
    }

    int chunkSize() {
        return chunkSize;
    }

    /** Takes a chunk; never fails (spills to plain memory when the region is all in use). */
    int acquire() {
        inUse++;
        if (freeTop > 0) {
            return free[--freeTop];
        }
        if (spillFreeTop > 0) {
            return count + spillFree[--spillFreeTop];
        }
        spill.add(arena.allocate(chunkSize, 64));
        if (spillFree.length < spill.size()) {
            spillFree = Arrays.copyOf(spillFree, Math.max(8, spill.size() * 2));
        }
        return count + spill.size() - 1;
    }

    /** Gives back a chunk after the final CQE of the op that used it. */
    void release(int id) {
        inUse--;
        if (id < count) {
            free[freeTop++] = id;
        } else {
            spillFree[spillFreeTop++] = id - count;
        }
    }

    /** Chunk {@code id}'s memory: the bytes a bounce write sends or a bounce read receives. */
    MemorySegment chunk(int id) {
        return id < count ? region.asSlice((long) id * chunkSize, chunkSize) : spill.get(id - count);
    }

    /** The native address of chunk {@code id}, for an SQE. */
    long address(int id) {
        return id < count ? region.address() + (long) id * chunkSize : spill.get(id - count).address();
    }

    /** True if chunk {@code id} may be used with READ_FIXED / WRITE_FIXED (buffer index 0). */
    boolean isFixed(int id) {
        return registered && id < count;
    }

    /** Chunks held by ops in flight. */
    int inUse() {
        return inUse;
    }
}
