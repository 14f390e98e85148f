package io.weft.internal.backend.uring;

import io.weft.internal.linux.Libc;

import java.lang.foreign.MemorySegment;

/**
 * The three io_uring system calls, and the mapping of a ring's memory. glibc has no
 * wrappers for io_uring (and liburing is not used), so they go through
 * {@link Libc#syscall}.
 *
 * <p>Every method returns what the kernel returned, with a failure as a negative errno.
 * The {@code cs} argument is the caller's call-state slot ({@link Libc#newCallState}): the
 * ring keeps one for the thread that drives it, the probe makes its own.
 */
final class UringSyscalls {
    private UringSyscalls() {
    }

    /** {@code io_uring_setup(entries, params)}: the ring fd, or -errno. */
    static int setup(MemorySegment cs, int entries, MemorySegment params) {
        return (int) Libc.syscall(cs, UringAbi.SYS_IO_URING_SETUP, Integer.toUnsignedLong(entries), params.address(), 0);
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: the number of
     * SQEs consumed, or -errno. Blocks when {@code flags} has GETEVENTS and
     * {@code minComplete > 0}.
     */
    static int enter(MemorySegment cs, int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        return (int) Libc.syscall(cs, UringAbi.SYS_IO_URING_ENTER, fd, Integer.toUnsignedLong(toSubmit),
                Integer.toUnsignedLong(minComplete), Integer.toUnsignedLong(flags), arg.address(), argSize);
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: an opcode-specific count, or -errno. */
    static int register(MemorySegment cs, int fd, int opcode, MemorySegment arg, int nrArgs) {
        return (int) Libc.syscall(cs, UringAbi.SYS_IO_URING_REGISTER, fd, Integer.toUnsignedLong(opcode), arg.address(),
                Integer.toUnsignedLong(nrArgs));
    }

    /**
     * Maps {@code length} bytes of the ring at {@code offset} (one of the IORING_OFF_*
     * constants), shared and pre-faulted.
     *
     * @throws UringException if mmap fails
     */
    static MemorySegment mmap(MemorySegment cs, int ringFd, long length, long offset) throws UringException {
        long addr = Libc.mmap(cs, 0, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE,
                ringFd, offset);
        if (addr < 0 && addr > -4096) {
            throw new UringException("mmap of the io_uring rings", (int) -addr);
        }
        return MemorySegment.ofAddress(addr).reinterpret(length);
    }

    static void munmap(MemorySegment cs, MemorySegment mapping) {
        Libc.munmap(cs, mapping.address(), mapping.byteSize());
    }
}
