package io.weft.internal.backend.fd;

import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calls on descriptors that are not (yet) sockets of a backend: memfds, eventfds,
 * files, pipes, and sockets received or passed in before one adopts them. The public
 * {@code OwnedFd} makes them through here, so that it deals in descriptor numbers and
 * Java values only. Every descriptor made here is close-on-exec.
 */
public final class Descriptors {
    private Descriptors() {
    }

    /** memfd_create(2) of {@code name}, grown to {@code size} bytes. */
    public static int memfd(String name, long size) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int fd = Libc.memfdCreate(cs, arena.allocateFrom(name), Libc.MFD_CLOEXEC);
            if (fd < 0) {
                throw Errno.exception(fd, "memfd_create", name);
            }
            int r = Libc.ftruncate(cs, fd, size);
            if (r < 0) {
                Libc.close(cs, fd);
                throw Errno.exception(r, "ftruncate", "memfd " + name + " to " + size + " bytes");
            }
            return fd;
        }
    }

    /** A non-blocking eventfd(2) with counter {@code initial}. */
    public static int eventfd(int initial) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.eventfd(Libc.newCallState(arena), initial, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            if (fd < 0) {
                throw Errno.exception(fd, "eventfd", null);
            }
            return fd;
        }
    }

    /** open(2) of {@code path} for reading and/or writing; {@code create} makes it with mode 0600. */
    public static int open(Path path, boolean read, boolean write, boolean create, boolean append) throws IOException {
        int flags = (read && write ? Libc.O_RDWR : write ? Libc.O_WRONLY : Libc.O_RDONLY) | Libc.O_CLOEXEC;
        if (create) {
            flags |= Libc.O_CREAT;
        }
        if (append) {
            flags |= Libc.O_APPEND;
        }
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.open(Libc.newCallState(arena), arena.allocateFrom(path.toString()), flags, 0600);
            if (fd < 0) {
                throw Errno.exception(fd, "open", path);
            }
            return fd;
        }
    }

    /** A second descriptor for the open file of {@code fd} (F_DUPFD_CLOEXEC); {@code what} names it in errors. */
    public static int duplicate(int fd, Object what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int r = Libc.fcntl(Libc.newCallState(arena), fd, Libc.F_DUPFD_CLOEXEC, 0);
            if (r < 0) {
                throw Errno.exception(r, "fcntl(F_DUPFD_CLOEXEC)", what);
            }
            return r;
        }
    }

    /**
     * One read(2) into, or write(2) from, {@code buf}'s remaining bytes (at least one),
     * advancing its position.
     *
     * @return the count, 0 if the call would block (EAGAIN), or -1 at end of file
     * @throws IOException if the descriptor is in blocking mode and not a regular file: the
     *                     call could then stall the event loop
     */
    public static int transfer(int fd, ByteBuffer buf, boolean write) throws IOException {
        String call = write ? "write" : "read";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int fl = Libc.fcntl(cs, fd, Libc.F_GETFL, 0);
            if (fl < 0) {
                throw Errno.exception(fl, "fcntl(F_GETFL)", "fd " + fd);
            }
            // Libc.read/write are critical downcalls: on a descriptor that can block they
            // would hold up the loop and the GC, so only non-blocking ones and files are allowed.
            if ((fl & Libc.O_NONBLOCK) == 0 && !Files.isRegularFile(procPath(fd))) {
                throw new IOException("fd " + fd + " (" + describe(fd) + ") is in blocking mode: a " + call
                        + " could stall the event loop");
            }
            MemorySegment seg = MemorySegment.ofBuffer(buf);
            long r = write ? Libc.write(cs, fd, seg) : Libc.read(cs, fd, seg);
            if (r == -Errno.EAGAIN) {
                return 0;
            }
            if (r < 0) {
                throw Errno.exception((int) r, call, "fd " + fd);
            }
            if (r == 0 && !write) {
                return -1;
            }
            buf.position(buf.position() + (int) r);
            return (int) r;
        }
    }

    /**
     * Checks that {@code fd} is an AF_UNIX socket of the type a stream ({@code datagram}
     * false) or datagram socket needs, before one adopts it; {@code self} names it in errors.
     *
     * @throws IOException naming what the descriptor is instead
     */
    public static void checkUnixSocket(int fd, boolean datagram, Object self) throws IOException {
        int type = datagram ? Libc.SOCK_DGRAM : Libc.SOCK_STREAM;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT, 2);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            for (int[] want : new int[][] {{Libc.SO_DOMAIN, Libc.AF_UNIX}, {Libc.SO_TYPE, type}}) {
                len.set(ValueLayout.JAVA_INT, 0, 4);
                int r = Libc.getsockopt(cs, fd, Libc.SOL_SOCKET, want[0], v, len);
                if (r < 0) {
                    throw Errno.exception(r, "getsockopt", self + " (" + describe(fd) + ")");
                }
                if (v.get(ValueLayout.JAVA_INT, 0) != want[1]) {
                    throw new IOException(self + " (" + describe(fd) + ") is not an AF_UNIX socket of type " + type);
                }
            }
        }
    }

    /** Closes the descriptor {@code guard} holds (once calls in progress leave it). Idempotent. */
    public static void close(FdGuard guard) throws IOException {
        int r = guard.close();
        if (r < 0) {
            throw Errno.exception(r, "close", "fd " + guard.fd());
        }
    }

    /** What {@code fd} refers to, as {@code /proc/self/fd} shows it. */
    public static String describe(int fd) throws IOException {
        return Files.readSymbolicLink(procPath(fd)).toString();
    }

    /** The {@code /proc/self/fd} entry of {@code fd}: opening it opens the same file. */
    public static Path procPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }
}
