package io.weft.ipc;

import io.weft.internal.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The few Linux calls the rings need beyond weft-core's sockets: futex and pidfd_open
 * (which glibc does not wrap), and the calls that make and check sealed memory files
 * (memfd_create, fcntl seals, fallocate, fstat). Made through weft-core's {@link Libc}.
 * Each returns what the kernel returned, a failure as a negative errno.
 */
final class Syscalls {

    private static final String ARCH = System.getProperty("os.arch");
    /** futex(2): 202 on x86_64, 98 on the generic table (aarch64, riscv64). */
    static final long SYS_FUTEX = ARCH.equals("amd64") || ARCH.equals("x86_64") ? 202 : 98;
    /** pidfd_open(2): 434 on every architecture (added after the tables were unified). */
    static final long SYS_PIDFD_OPEN = 434;
    private static final boolean X86_64 = ARCH.equals("amd64") || ARCH.equals("x86_64");
    /** fallocate(2): 285 on x86_64, 47 on the generic table. */
    static final long SYS_FALLOCATE = X86_64 ? 285 : 47;
    /** fstat(2): 5 on x86_64, 80 on the generic table. */
    static final long SYS_FSTAT = X86_64 ? 5 : 80;
    /**
     * Offset of st_size in struct stat: 48 on x86_64 and on the generic layout (aarch64,
     * riscv64) alike; the struct is at most 144 bytes.
     */
    private static final long STAT_SIZE_OFFSET = 48;
    private static final long STAT_LENGTH = 256;

    /** From linux/memfd.h and linux/fcntl.h. */
    static final int O_EXCL = 0x80;
    static final int MFD_CLOEXEC = 1;
    static final int MFD_ALLOW_SEALING = 2;
    static final int F_ADD_SEALS = 1033;
    static final int F_GET_SEALS = 1034;
    static final int F_SEAL_SEAL = 1;
    static final int F_SEAL_SHRINK = 2;
    static final int F_SEAL_GROW = 4;
    static final int F_SEAL_WRITE = 8;
    static final int F_SEAL_FUTURE_WRITE = 16;

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

    /** open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600): a new descriptor, or -errno (-EEXIST if the name is taken). */
    static int createExclusive(String path) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.open(Libc.newCallState(a), a.allocateFrom(path), Libc.O_RDWR | Libc.O_CREAT | O_EXCL | Libc.O_CLOEXEC, 0600);
        }
    }

    /** memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING): a new descriptor, or -errno. */
    static int memfdCreateSealable(String name) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.memfdCreate(Libc.newCallState(a), a.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
        }
    }

    /** ftruncate(fd, length): 0 or -errno. */
    static int ftruncate(int fd, long length) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.ftruncate(Libc.newCallState(a), fd, length);
        }
    }

    /** fallocate(fd, 0, 0, length): reserves the blocks (or tmpfs pages) now; 0 or -errno. */
    static int fallocate(int fd, long length) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Libc.syscall(Libc.newCallState(a), SYS_FALLOCATE, fd, 0, 0, length);
        }
    }

    /** fcntl(fd, F_ADD_SEALS, seals): 0 or -errno. */
    static int addSeals(int fd, int seals) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.fcntl(Libc.newCallState(a), fd, F_ADD_SEALS, seals);
        }
    }

    /** fcntl(fd, F_GET_SEALS): the seals, or -errno (-EINVAL for a file that cannot be sealed). */
    static int seals(int fd) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.fcntl(Libc.newCallState(a), fd, F_GET_SEALS, 0);
        }
    }

    /** st_size from fstat(fd), or -errno. */
    static long fileSize(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STAT_LENGTH, 8);
            long r = Libc.syscall(Libc.newCallState(a), SYS_FSTAT, fd, st.address(), 0);
            return r < 0 ? r : st.get(ValueLayout.JAVA_LONG, STAT_SIZE_OFFSET);
        }
    }
}
