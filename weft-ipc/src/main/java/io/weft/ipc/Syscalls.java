package io.weft.ipc;

import io.weft.internal.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The few Linux calls the rings need that glibc does not wrap (futex, pidfd_open), made
 * through weft-core's {@link Libc#syscall}. Each returns what the kernel returned, a
 * failure as a negative errno.
 */
final class Syscalls {

    private static final String ARCH = System.getProperty("os.arch");
    /** futex(2): 202 on x86_64, 98 on the generic table (aarch64, riscv64). */
    static final long SYS_FUTEX = ARCH.equals("amd64") || ARCH.equals("x86_64") ? 202 : 98;
    /** pidfd_open(2): 434 on every architecture (added after the tables were unified). */
    static final long SYS_PIDFD_OPEN = 434;

    /** From linux/futex.h. No FUTEX_PRIVATE_FLAG: the word is shared between processes. */
    static final int FUTEX_WAIT = 0;
    static final int FUTEX_WAKE = 1;

    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ETIMEDOUT = 110;

    private Syscalls() {
    }

    /**
     * Blocks the calling thread while the word at {@code address} holds {@code expected},
     * at most {@code timeoutNanos}. 0 when woken, -EAGAIN if the word had changed,
     * -ETIMEDOUT, or -EINTR.
     */
    static int futexWait(long address, int expected, long timeoutNanos) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(a);
            MemorySegment ts = a.allocate(16, 8);
            ts.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            ts.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            return (int) Libc.syscall(cs, SYS_FUTEX, address, FUTEX_WAIT, Integer.toUnsignedLong(expected), ts.address(), 0, 0);
        }
    }

    /** Wakes every thread (in any process) waiting on the word at {@code address}. */
    static int futexWake(long address) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(a);
            return (int) Libc.syscall(cs, SYS_FUTEX, address, FUTEX_WAKE, Integer.MAX_VALUE, 0, 0, 0);
        }
    }

    /** A pidfd for {@code pid} (close-on-exec), or -errno. */
    static int pidfdOpen(long pid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(a);
            return (int) Libc.syscall(cs, SYS_PIDFD_OPEN, pid, 0, 0);
        }
    }
}
