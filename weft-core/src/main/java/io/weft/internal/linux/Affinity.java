package io.weft.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

/** The calling thread's CPU affinity, through sched_setaffinity/sched_getaffinity. */
public final class Affinity {
    private Affinity() {
    }

    /** cpu_set_t's size in glibc (1024 CPUs); larger for a CPU number beyond that. */
    private static final int MIN_MASK_BYTES = 128;

    /**
     * Lets the calling (platform) thread run only on {@code cpu}.
     *
     * @throws IOException naming the CPU and the errno, e.g. EINVAL for a CPU this process
     *         may not use or that does not exist
     */
    public static void pinCurrentThread(int cpu) throws IOException {
        if (cpu < 0) {
            throw new IllegalArgumentException("CPU numbers are not negative: " + cpu);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            long bytes = Math.max(MIN_MASK_BYTES, ((long) cpu / 64 + 1) * 8);
            MemorySegment mask = arena.allocate(bytes, 8);
            long word = mask.get(ValueLayout.JAVA_LONG, (long) (cpu / 64) * 8);
            mask.set(ValueLayout.JAVA_LONG, (long) (cpu / 64) * 8, word | (1L << (cpu % 64)));
            int r = Libc.schedSetaffinity(cs, 0, mask);
            if (r < 0) {
                throw new IOException("cannot pin thread " + Thread.currentThread().getName() + " to CPU " + cpu
                        + ": sched_setaffinity failed with " + Errno.name(-r)
                        + (r == -Errno.EINVAL ? " (no such CPU, or not one this process may use; see taskset -p)" : ""));
            }
        }
    }

    /** The CPUs the calling thread may run on. */
    public static BitSet currentThreadCpus() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            for (long bytes = MIN_MASK_BYTES; bytes <= 1 << 16; bytes *= 2) {
                MemorySegment mask = arena.allocate(bytes, 8);
                int r = Libc.schedGetaffinity(cs, 0, mask);
                if (r >= 0) {
                    return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
                }
                if (r != -Errno.EINVAL) {
                    throw new IOException("sched_getaffinity failed with " + Errno.name(-r));
                }
                // EINVAL: the kernel's mask is larger than ours
            }
            throw new IOException("sched_getaffinity: no mask size up to 64 KiB was accepted");
        }
    }
}
