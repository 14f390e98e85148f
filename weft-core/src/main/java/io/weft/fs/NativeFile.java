package io.weft.fs;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.FileOps;
import io.weft.internal.backend.fd.FdFile;
import io.weft.internal.backend.fd.FdGuard;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.StatxLayout;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * An open file whose I/O runs as native ops ({@link NativeFiles}); each op goes to the
 * calling task's loop, so tasks on any loop may share the file. The fd is closed once, by
 * an io_uring CLOSE when the last holder is a task, else by close(2) (see {@link #closeFd}).
 */
final class NativeFile implements FileDriver.OpenFile {

    private final Path path;
    private final FdFile handle;

    NativeFile(Path path, int fd) {
        this.path = path;
        this.handle = new FdFile(fd, path, NativeFile::closeFd);
    }

    private EventLoop loop(String call) throws ClosedChannelException {
        if (handle.isClosed()) {
            throw new ClosedChannelException();
        }
        return Failures.inTask(EventLoop.current(), "AsyncFile." + call);
    }

    @Override
    public int read(MemorySegment dst, long position, long deadline) throws IOException {
        EventLoop loop = loop("read");
        if (dst.isNative()) {
            long n = NativeFiles.run(loop, new FileOps.Read(handle, dst, position), deadline, "read", path);
            return n == 0 ? -1 : (int) n;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bounce = arena.allocate(Math.min(dst.byteSize(), NativeFiles.BOUNCE_MAX));
            long n = NativeFiles.run(loop, new FileOps.Read(handle, bounce, position), deadline, "read", path);
            MemorySegment.copy(bounce, 0, dst, 0, n);
            return n == 0 ? -1 : (int) n;
        }
    }

    @Override
    public int write(MemorySegment src, long position, long deadline) throws IOException {
        EventLoop loop = loop("write");
        long at = position < 0 ? FileOps.Write.AT_FILE_POSITION : position;
        if (src.isNative()) {
            return (int) NativeFiles.run(loop, new FileOps.Write(handle, src, at), deadline, "write", path);
        }
        try (Arena arena = Arena.ofConfined()) {
            long len = Math.min(src.byteSize(), NativeFiles.BOUNCE_MAX);
            MemorySegment bounce = arena.allocate(len);
            MemorySegment.copy(src, 0, bounce, 0, len);
            return (int) NativeFiles.run(loop, new FileOps.Write(handle, bounce, at), deadline, "write", path);
        }
    }

    @Override
    public long size() throws IOException {
        EventLoop loop = loop("size");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(StatxLayout.LAYOUT);
            FileOps.Stat op = FileOps.Stat.ofFile(handle, arena.allocateFrom(""), StatxLayout.AT_EMPTY_PATH, StatxLayout.STATX_SIZE, buf);
            NativeFiles.run(loop, op, Waits.NONE, "size", path);
            return StatxLayout.size(buf);
        }
    }

    /** ftruncate(2) on the blocking pool: io_uring has no truncate op before Linux 6.9. */
    @Override
    public void truncate(long size) throws IOException {
        if (size >= size()) {
            return;
        }
        try {
            Blocking.callUninterruptibly(() -> {
                handle.enter();
                try (Arena arena = Arena.ofConfined()) {
                    int r = Libc.ftruncate(Libc.newCallState(arena), handle.fd(), size);
                    if (r < 0) {
                        throw Errno.exception(r, "truncate", path);
                    }
                } finally {
                    handle.exit();
                }
                return null;
            }, Deadline.NONE);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("truncate " + path, e);
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        NativeFiles.run(loop("force"), new FileOps.Sync(handle, !metaData), Waits.NONE, "fsync", path);
    }

    @Override
    public boolean isOpen() {
        return !handle.isClosed();
    }

    @Override
    public void close() throws IOException {
        handle.close();
    }

    /**
     * Closes {@code fd} once nothing names it any more: as an io_uring CLOSE when the
     * closing thread is a task that may park, else (a loop thread finishing the last op, a
     * pool thread leaving ftruncate) with close(2), which must not park there.
     */
    private static int closeFd(int fd) {
        EventLoop loop = EventLoop.current();
        if (loop != null && Thread.currentThread().isVirtual()
                && loop.provider().capabilities().contains(Capability.NATIVE_FILE_IO)) {
            FileOps.Close op = new FileOps.Close(fd);
            loop.submit(op);
            Waits.awaitUninterruptibly(op);
            if (op.result() != Op.CANCELLED) {
                return (int) op.result();
            }
            // never reached the kernel (the loop is shutting down): close here
        }
        return FdGuard.closeDirectly(fd);
    }

    @Override
    public String toString() {
        return "NativeFile[" + path + ", " + handle + "]";
    }
}
