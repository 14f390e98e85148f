package io.weft.internal.backend.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The three io_uring system calls, made through libc's {@code syscall(2)} with FFM (glibc
 * has no wrappers for them, and liburing is not used).
 *
 * <p>Every method returns what the kernel returned, with failures as a negative errno (the
 * kernel's own convention), so callers need not touch errno. The errno is captured with
 * {@link Linker.Option#captureCallState} into a segment the caller owns: one per thread,
 * made with {@link #newErrnoState}. The loop keeps one for its ring; the probe makes its own.
 */
final class UringSyscalls {
    private UringSyscalls() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(StructLayout.PathElement.groupElement("errno"));

    /*
     * syscall(2) is variadic and reads each argument as a long (va_arg(ap, long)), so every
     * argument after the number is passed as JAVA_LONG or ADDRESS: an int in a variadic
     * slot would leave the upper half of the register undefined.
     */
    private static final MethodHandle SETUP = syscall(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
    private static final MethodHandle REGISTER = syscall(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG);
    private static final MethodHandle ENTER = syscall(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);

    /** A handle for {@code long syscall(long number, args...)}, errno captured first. */
    private static MethodHandle syscall(ValueLayout... args) {
        ValueLayout[] all = new ValueLayout[args.length + 1];
        all[0] = ValueLayout.JAVA_LONG;
        System.arraycopy(args, 0, all, 1, args.length);
        MemorySegment addr = LINKER.defaultLookup().find("syscall")
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall()"));
        return LINKER.downcallHandle(addr, FunctionDescriptor.of(ValueLayout.JAVA_LONG, all),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    /** A segment to capture errno into; the calling thread's own, never shared. */
    static MemorySegment newErrnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    private static int result(long r, MemorySegment errnoState) {
        return r == -1 ? -(int) ERRNO.get(errnoState, 0L) : (int) r;
    }

    /** {@code io_uring_setup(entries, params)}: the ring fd, or -errno. */
    static int setup(int entries, MemorySegment params, MemorySegment errnoState) {
        try {
            long r = (long) SETUP.invokeExact(errnoState, UringAbi.SYS_IO_URING_SETUP, (long) entries, params);
            return result(r, errnoState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: the number of
     * SQEs consumed, or -errno. Blocks when {@code flags} has GETEVENTS and
     * {@code minComplete > 0}.
     */
    static int enter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize,
                     MemorySegment errnoState) {
        try {
            long r = (long) ENTER.invokeExact(errnoState, UringAbi.SYS_IO_URING_ENTER, (long) fd,
                    Integer.toUnsignedLong(toSubmit), Integer.toUnsignedLong(minComplete), Integer.toUnsignedLong(flags),
                    arg, argSize);
            return result(r, errnoState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: an opcode-specific count, or -errno. */
    static int register(int fd, int opcode, MemorySegment arg, int nrArgs, MemorySegment errnoState) {
        try {
            long r = (long) REGISTER.invokeExact(errnoState, UringAbi.SYS_IO_URING_REGISTER, (long) fd,
                    Integer.toUnsignedLong(opcode), arg, Integer.toUnsignedLong(nrArgs));
            return result(r, errnoState);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
