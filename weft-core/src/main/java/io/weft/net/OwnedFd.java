package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.BackendProvider;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.backend.fd.Descriptors;
import io.weft.internal.backend.fd.FdGuard;
import io.weft.internal.backend.fd.FdProvider;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * An open file descriptor that this object owns: closing it closes the descriptor, once.
 * Descriptors received over a Unix socket ({@link UnixMessage#fds()}) arrive as these, and
 * any of these can be sent ({@link UnixStream#send(ByteBuffer, OwnedFd...)}); sending
 * passes a copy and leaves this one open.
 *
 * <pre>{@code
 * try (OwnedFd shm = OwnedFd.memfd("frame", 4096);
 *      Arena arena = Arena.ofConfined()) {
 *     shm.map(arena, 0, 4096).setString(0, "hello");
 *     stream.send(ByteBuffer.wrap(new byte[] {1}), shm);           // the peer maps the same pages
 * }
 *
 * try (UnixMessage m = stream.receive(ByteBuffer.allocate(16), 4);
 *      OwnedFd fd = m.takeFd(0)) {                                  // now ours to close
 *     try (FileChannel ch = fd.openChannel(StandardOpenOption.READ)) { ... }
 * }
 * }</pre>
 *
 * <p>What a descriptor becomes: a file or memfd through {@link #openChannel} or
 * {@link #map}; a Unix socket through {@link UnixStream#adopt(OwnedFd)}; an eventfd or
 * pipe through {@link #read}/{@link #write} (non-blocking descriptors only, so a task never
 * stalls its loop). {@link #describe()} says what it is. Every descriptor Weft makes or
 * receives is close-on-exec.
 *
 * <p>Thread safety: any thread may use and close it; a close waits for calls in progress
 * on other threads to leave the descriptor before releasing its number (see FdGuard).
 */
public final class OwnedFd implements AutoCloseable {

    private final FdGuard guard;

    private OwnedFd(int fd) {
        this.guard = new FdGuard(fd);
    }

    /**
     * Takes ownership of {@code fd}, an open descriptor nobody else will close.
     *
     * @throws IllegalArgumentException if fd is negative
     */
    public static OwnedFd adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        return new OwnedFd(fd);
    }

    /**
     * A new anonymous memory file (memfd_create) of {@code size} bytes, for sharing memory
     * with another process.
     */
    public static OwnedFd memfd(String name, long size) throws IOException {
        return new OwnedFd(Descriptors.memfd(name, size));
    }

    /** A new non-blocking eventfd with counter {@code initial}; {@link #read}/{@link #write} take 8-byte counts. */
    public static OwnedFd eventfd(int initial) throws IOException {
        return new OwnedFd(Descriptors.eventfd(initial));
    }

    /**
     * Opens a file (open(2), close-on-exec): {@link StandardOpenOption#READ},
     * {@code WRITE}, {@code CREATE} (mode 0600) and {@code APPEND} are understood.
     */
    public static OwnedFd open(Path path, OpenOption... options) throws IOException {
        Set<OpenOption> o = Set.of(options);
        boolean write = o.contains(StandardOpenOption.WRITE) || o.contains(StandardOpenOption.APPEND);
        boolean read = o.contains(StandardOpenOption.READ) || !write;
        return new OwnedFd(Descriptors.open(path, read, write, o.contains(StandardOpenOption.CREATE),
                o.contains(StandardOpenOption.APPEND)));
    }

    /**
     * The descriptor number, for passing to code that needs it; valid until this is closed.
     *
     * @throws ClosedChannelException if closed
     */
    public int fd() throws ClosedChannelException {
        if (!guard.enter()) {
            throw new ClosedChannelException();
        }
        guard.exit();
        return guard.fd();
    }

    /** False once {@link #close()} or {@link #release()} was called. */
    public boolean isOpen() {
        if (!guard.enter()) {
            return false;
        }
        guard.exit();
        return true;
    }

    /** A second descriptor for the same open file (F_DUPFD_CLOEXEC), owned by the result. */
    public OwnedFd duplicate() throws IOException {
        if (!guard.enter()) {
            throw new ClosedChannelException();
        }
        try {
            return new OwnedFd(Descriptors.duplicate(guard.fd(), "fd " + guard.fd()));
        } finally {
            guard.exit();
        }
    }

    /**
     * What the descriptor refers to, as {@code /proc/self/fd} shows it: a path,
     * {@code /memfd:NAME (deleted)}, {@code socket:[inode]}, {@code anon_inode:[eventfd]},
     * {@code pipe:[inode]}.
     */
    public String describe() throws IOException {
        return Descriptors.describe(fd());
    }

    /**
     * Opens a {@link FileChannel} on the same file (through {@code /proc/self/fd}): for
     * regular files and memfds. The channel has its own position and is closed separately.
     */
    public FileChannel openChannel(OpenOption... options) throws IOException {
        return FileChannel.open(Descriptors.procPath(fd()), options);
    }

    /**
     * Maps {@code size} bytes from {@code offset} shared and read-write (MAP_SHARED), as a
     * segment of {@code arena}: writes are seen by every process that maps the same file.
     */
    public MemorySegment map(Arena arena, long offset, long size) throws IOException {
        try (FileChannel ch = openChannel(StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, offset, size, arena);
        }
    }

    /**
     * One read(2) into {@code dst}'s remaining space, advancing its position; returns the
     * count, 0 if nothing is there now (EAGAIN), or -1 at end of file.
     *
     * @throws IOException if the descriptor is in blocking mode and not a regular file: a
     *                     read could then stall the event loop
     */
    public int read(ByteBuffer dst) throws IOException {
        return transfer(dst, false);
    }

    /** One write(2) of {@code src}'s remaining bytes, advancing its position; returns the count, 0 if it would block. */
    public int write(ByteBuffer src) throws IOException {
        return transfer(src, true);
    }

    private int transfer(ByteBuffer buf, boolean write) throws IOException {
        if (!write && buf.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (!buf.hasRemaining()) {
            return 0;
        }
        if (!guard.enter()) {
            throw new ClosedChannelException();
        }
        try {
            return Descriptors.transfer(guard.fd(), buf, write);
        } finally {
            guard.exit();
        }
    }

    /**
     * Waits, in a Weft task, until a read would not wait (an eventfd's count, a pipe's
     * bytes, an error), parking the task and not its loop. Consumes nothing. Polls a
     * duplicate of the descriptor, so this one stays as it is (except that it becomes
     * non-blocking: the open file is shared).
     *
     * @throws java.net.SocketTimeoutException the deadline passed first
     * @throws UnsupportedOperationException   on the nio backend, which polls only its own channels
     */
    public void awaitReadable(Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("OwnedFd.awaitReadable");
        if (!(loop.provider() instanceof FdProvider)) {
            throw new UnsupportedOperationException("OwnedFd.awaitReadable needs a backend that polls descriptors (io_uring or epoll), not "
                    + loop.provider().name());
        }
        try (OwnedFd dup = duplicate()) {
            SocketHandle poller = dup.adoptSocket(loop.provider(), Capability.POLL);
            try {
                NetIo.run(loop, new NetOps.Poll(poller, NetOps.POLLIN),
                        deadline.nanoTime(), "wait for readable", this);
            } finally {
                poller.close();
            }
        }
    }

    /**
     * Gives up ownership: returns the descriptor number, which the caller must close, and
     * leaves this object closed without closing the descriptor.
     */
    public int release() throws ClosedChannelException {
        if (!guard.abandon()) {
            throw new ClosedChannelException();
        }
        return guard.fd();
    }

    /** Makes a socket handle of this descriptor; ownership moves to it. Not concurrently with close. */
    SocketHandle adoptSocket(BackendProvider provider, Capability needs) throws IOException {
        SocketHandle s = provider.adoptSocket(needs, fd(), SocketFamily.UNIX);
        guard.abandon();
        return s;
    }

    /**
     * Checks that this is an AF_UNIX socket of the type a stream ({@code datagram} false)
     * or datagram socket needs, before one adopts it.
     *
     * @throws IOException naming what the descriptor is instead
     */
    void checkUnixSocket(boolean datagram) throws IOException {
        Descriptors.checkUnixSocket(fd(), datagram, this);
    }

    /** A new close-on-exec descriptor for {@code socket}'s (F_DUPFD_CLOEXEC); {@code what} names it in errors. */
    static OwnedFd duplicateOf(SocketHandle socket, Object what) throws IOException {
        return new OwnedFd(socket.duplicateFd(what));
    }

    /** Closes the descriptor (after calls in progress on other threads leave it). Idempotent. */
    @Override
    public void close() throws IOException {
        Descriptors.close(guard);
    }

    @Override
    public String toString() {
        return isOpen() ? "OwnedFd[" + guard.fd() + "]" : "OwnedFd[closed]";
    }
}
