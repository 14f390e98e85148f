package io.weft.cli;

import java.time.Duration;

/**
 * CPU time used by this whole process (user plus system, all threads: tasks, loops, JIT
 * and GC). On Linux the JDK reads it from {@code /proc/self/stat}, in clock ticks (10 ms),
 * so only differences over a window of seconds mean anything.
 */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** CPU nanoseconds so far, or -1 where the OS does not tell. */
    static long nanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
}
