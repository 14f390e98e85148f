package io.weft.fs;

import io.weft.internal.backend.FileOps;
import io.weft.internal.backend.IoOp;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.StatxLayout;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Waits;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Instant;

/**
 * File I/O as native ops of the calling task's backend (io_uring): {@link FileOps} on
 * native memory that the task owns until each op's final completion.
 */
/*
 * Overview
 *
 * Every call:
 *
 *   1. check the task may start (cancelled, interrupted, deadline passed: throw, start nothing)
 *   2. put what the kernel reads or writes (path strings, a statx buffer, a bounce copy of a
 *      heap buffer) in a confined Arena of the calling task
 *   3. submit the op to the task's loop and wait for its final completion; a cancel (task
 *      cancelled, deadline, file closed) is sent to the kernel, and the wait goes on until
 *      the CQE, so the arena is never freed under the kernel (DESIGN section 3)
 *   4. free the arena; turn the result into a value (kept even if a cancel raced it: the
 *      bytes were read, the fd was opened) or an exception (FileErrors)
 *
 * Heap byte[] are never handed to the kernel: a heap read goes through a native copy of at
 * most BOUNCE_MAX bytes (a read may return fewer bytes than asked, as pread does; readFully
 * loops), a heap write the same way.
 *
 * Rejected: the loop's registered bounce chunks (see UringFileOps). Rejected: running the
 * whole call on the loop thread: a task on another loop could not share an open file then.
 */
final class NativeFiles implements FileDriver {

    /** The most bytes one heap read or write moves through its native copy. */
    static final int BOUNCE_MAX = 1 << 20;

    private final EventLoop loop;

    NativeFiles(EventLoop loop) {
        this.loop = loop;
    }

    /** Runs {@code op} on the loop and returns its non-negative result, or throws. */
    static long run(EventLoop loop, IoOp op, long deadline, String call, Path path) throws IOException {
        long r = attempt(loop, op, deadline, call, path);
        if (r < 0) {
            throw Errno.exception((int) -r, call, path);
        }
        return r;
    }

    /**
     * Runs {@code op} on the loop and returns its result: a value, or the negative errno it
     * failed with. Throws only for cancellation and deadlines.
     */
    private static long attempt(EventLoop loop, IoOp op, long deadline, String call, Path path) throws IOException {
        int early = Waits.reasonNotToStart(deadline);
        if (early != 0) {
            throw FileErrors.cancelled(early, call, path);
        }
        loop.submitAndAwait(op, deadline);
        long r = op.result();
        if (r >= 0) {
            return r;
        }
        if (op.wasCancelled()) {
            throw FileErrors.cancelled(op.cancelReason(), call, path);
        }
        if (r == -Errno.ETIMEDOUT && deadline != Waits.NONE) {
            throw FileErrors.timedOut(call, path); // a linked timeout fired
        }
        return r;
    }

    private static MemorySegment cPath(Arena arena, Path path) {
        return arena.allocateFrom(path.toString());
    }

    @Override
    public OpenFile open(Path path, OpenMode mode, long deadline) throws IOException {
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = run(loop, new FileOps.Open(cPath(arena, path), mode.toFlags(), 0666), deadline, "open", path);
        }
        return new NativeFile(path, (int) fd);
    }

    @Override
    public FileStat stat(Path path, boolean followLinks) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(StatxLayout.LAYOUT);
            int flags = followLinks ? 0 : StatxLayout.AT_SYMLINK_NOFOLLOW;
            run(loop, FileOps.Stat.ofPath(cPath(arena, path), flags, StatxLayout.STATX_BASIC_STATS, buf), Waits.NONE, "stat", path);
            return toStat(buf);
        }
    }

    static FileStat toStat(MemorySegment statx) {
        FileStat.Kind kind = switch (StatxLayout.mode(statx) & StatxLayout.S_IFMT) {
            case StatxLayout.S_IFREG -> FileStat.Kind.REGULAR_FILE;
            case StatxLayout.S_IFDIR -> FileStat.Kind.DIRECTORY;
            case StatxLayout.S_IFLNK -> FileStat.Kind.SYMBOLIC_LINK;
            default -> FileStat.Kind.OTHER;
        };
        return new FileStat(StatxLayout.size(statx), kind,
                Instant.ofEpochSecond(StatxLayout.mtimeSeconds(statx), StatxLayout.mtimeNanos(statx)));
    }

    @Override
    public void createDirectory(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            run(loop, new FileOps.Mkdir(cPath(arena, dir), 0777), Waits.NONE, "mkdir", dir);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = cPath(arena, path);
            long r = attempt(loop, new FileOps.Unlink(p, false), Waits.NONE, "delete", path);
            if (r == -Errno.EISDIR) {
                // Linux's unlink(2) refuses a directory with EISDIR; then it is rmdir's turn.
                r = attempt(loop, new FileOps.Unlink(p, true), Waits.NONE, "delete", path);
            }
            if (r < 0) {
                throw Errno.exception((int) -r, "delete", path);
            }
        }
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            run(loop, new FileOps.Rename(cPath(arena, from), cPath(arena, to), 0), Waits.NONE, "rename to " + to, from);
        }
    }
}
