package io.weft.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * Pins the calling thread to one core with {@code sched_setaffinity(2)} through the FFM
 * API: for a harness whose two ends are threads of one process, where {@code taskset} can
 * only place the whole process.
 */
public final class ThreadAffinity {
    private ThreadAffinity() {
    }

    /** {@code cpu_set_t} of glibc: 1024 bits. */
    private static final int CPU_SET_BYTES = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** {@code int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)}, or empty off Linux. */
    private static final Optional<MethodHandle> SET_AFFINITY = LINKER.defaultLookup().find("sched_setaffinity")
            .map(s -> LINKER.downcallHandle(s,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                    Linker.Option.captureCallState("errno")));

    /**
     * Pins the calling (platform) thread to core {@code cpu}.
     *
     * @return null once pinned, otherwise why not (no such call here, or the errno it failed with)
     */
    public static String pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= CPU_SET_BYTES * 8) {
            return "no CPU " + cpu + " in a cpu_set_t";
        }
        if (SET_AFFINITY.isEmpty()) {
            return "sched_setaffinity is not available here";
        }
        if (Thread.currentThread().isVirtual()) {
            return "a virtual thread cannot be pinned";
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) SET_AFFINITY.get().invokeExact(state, 0, (long) CPU_SET_BYTES, mask);
            return rc == 0 ? null : "sched_setaffinity(CPU " + cpu + ") failed, errno " + (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            return "sched_setaffinity(CPU " + cpu + ") failed: " + t;
        }
    }
}
