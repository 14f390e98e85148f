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
 * The few libc calls the ring needs besides the io_uring syscalls: mapping the rings and
 * the wake-up eventfd. Results follow {@link UringSyscalls}: a value, or a negative errno.
 */
final class UringLibc {
    private UringLibc() {
    }

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_POPULATE = 0x8000;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(StructLayout.PathElement.groupElement("errno"));

    private static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = handle("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle EVENTFD = handle("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    // Without errno capture: any thread signals the eventfd, and none owns a capture segment.
    private static final MethodHandle WRITE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("write").orElseThrow(() -> new UnsatisfiedLinkError("libc has no write()")),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
        return LINKER.downcallHandle(addr, fd, Linker.Option.captureCallState("errno"));
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset}, shared read-write; the mapping, or throws. */
    static MemorySegment mmap(int fd, long length, long offset) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            MemorySegment p = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length,
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
            if (p.address() == -1L) {
                throw new UringException("mmap", errno(state));
            }
            return p.reinterpret(length);
        } catch (UringException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mmap failed", t);
        }
    }

    static int munmap(MemorySegment mapping) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) MUNMAP.invokeExact(state, mapping, mapping.byteSize());
            return r == -1 ? -errno(state) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }

    static int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) CLOSE.invokeExact(state, fd);
            return r == -1 ? -errno(state) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("close failed", t);
        }
    }

    /** A non-blocking, close-on-exec eventfd; the fd, or throws. */
    static int eventfd() throws UringException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int r = (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (r == -1) {
                throw new UringException("eventfd", errno(state));
            }
            return r;
        } catch (UringException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("eventfd failed", t);
        }
    }

    /**
     * Adds the 8-byte value in {@code one} to an eventfd's counter. Any thread. Needs no
     * errno: the only failure on a valid eventfd is EAGAIN when the counter is at its
     * maximum, and then the reader is already due to wake.
     */
    static void eventfdSignal(int fd, MemorySegment one) {
        try {
            long r = (long) WRITE.invokeExact(fd, one, 8L);
            assert r == 8 || r == -1 : "eventfd write returned " + r;
        } catch (Throwable t) {
            throw new IllegalStateException("eventfd write failed", t);
        }
    }
}
