package io.weft.internal.backend.uring;

import io.weft.internal.backend.FileOps;

import java.lang.foreign.MemorySegment;

/**
 * The SQEs of the file ops ({@link FileOps}); {@link UringBackend} takes slots, links
 * deadlines and reaps CQEs for them as for socket ops, and asks this class only how to
 * write each SQE. Loop thread only.
 */
/*
 * Overview
 *
 * Which SQE for which op (fields as in io_uring.h; op_flags is the per-opcode flags union):
 *
 *   Open     OPENAT    fd AT_FDCWD, addr path, len mode, op_flags open flags (| O_CLOEXEC)
 *   Read     READ      fd, addr buffer, len, off position
 *   Write    WRITE     fd, addr buffer, len, off position (-1: the file position, which
 *                      O_APPEND moves to the end first)
 *   Sync     FSYNC     fd, op_flags FSYNC_DATASYNC for fdatasync; off/len 0 = whole file
 *   Stat     STATX     fd (AT_FDCWD or the file's), addr path, len mask, op_flags flags,
 *                      off (addr2) the statx buffer
 *   Close    CLOSE     fd
 *   Rename   RENAMEAT  fd AT_FDCWD, addr old path, len AT_FDCWD (new dirfd), off (addr2)
 *                      new path, op_flags rename flags
 *   Unlink   UNLINKAT  fd AT_FDCWD, addr path, op_flags AT_REMOVEDIR for a directory
 *   Mkdir    MKDIRAT   fd AT_FDCWD, addr path, len mode
 *
 * Every address is native memory the op's waiter owns until the final CQE, so nothing
 * here copies, and no op holds a bounce chunk or a provided buffer. Results pass through
 * unchanged (a count, an fd, 0, or -errno).
 *
 * Rejected: READ_FIXED into the loop's registered bounce chunks for heap reads. It saves
 * the page pinning of each read, but a chunk would be held for the whole (possibly slow,
 * io-wq) file read, and 32 chunks are shared with every socket on the loop.
 */
final class UringFileOps {
    private UringFileOps() {
    }

    /** The opcodes these ops need; a kernel without one of them gets pool file I/O. */
    static final byte[] OPCODES = {
            UringAbi.OP_OPENAT, UringAbi.OP_READ, UringAbi.OP_WRITE, UringAbi.OP_FSYNC, UringAbi.OP_STATX,
            UringAbi.OP_CLOSE, UringAbi.OP_RENAMEAT, UringAbi.OP_UNLINKAT, UringAbi.OP_MKDIRAT,
    };

    /** openat flag added to every open: an fd Weft opens never leaks into a child process. */
    static final int O_CLOEXEC = 0x80000;
    /** unlinkat flag: remove a directory. */
    static final int AT_REMOVEDIR = 0x200;

    /** Writes the SQE at {@code sqe} for {@code op}; returns {@code sqe}. */
    static long prep(MemorySegment sqes, long sqe, FileOps.FileOp op, long userData) {
        int fd = op.fd();
        switch (op) {
            case FileOps.Open o -> {
                SqeLayout.prep(sqes, sqe, UringAbi.OP_OPENAT, fd, o.path.address(), o.mode, 0, userData);
                SqeLayout.opFlags(sqes, sqe, o.flags | O_CLOEXEC);
            }
            case FileOps.Read r -> SqeLayout.prep(sqes, sqe, UringAbi.OP_READ, fd, r.buffer.address(),
                    UringBackend.clamp(r.buffer.byteSize()), r.position, userData);
            case FileOps.Write w -> SqeLayout.prep(sqes, sqe, UringAbi.OP_WRITE, fd, w.buffer.address(),
                    UringBackend.clamp(w.buffer.byteSize()), w.position, userData);
            case FileOps.Sync s -> {
                SqeLayout.prep(sqes, sqe, UringAbi.OP_FSYNC, fd, 0, 0, 0, userData);
                SqeLayout.opFlags(sqes, sqe, s.dataOnly ? UringAbi.FSYNC_DATASYNC : 0);
            }
            case FileOps.Stat s -> {
                SqeLayout.prep(sqes, sqe, UringAbi.OP_STATX, fd, s.path.address(), s.mask, s.buffer.address(), userData);
                SqeLayout.opFlags(sqes, sqe, s.flags);
            }
            case FileOps.Close c -> SqeLayout.prep(sqes, sqe, UringAbi.OP_CLOSE, fd, 0, 0, 0, userData);
            case FileOps.Rename r -> {
                SqeLayout.prep(sqes, sqe, UringAbi.OP_RENAMEAT, fd, r.from.address(), FileOps.AT_FDCWD, r.to.address(), userData);
                SqeLayout.opFlags(sqes, sqe, r.flags);
            }
            case FileOps.Unlink u -> {
                SqeLayout.prep(sqes, sqe, UringAbi.OP_UNLINKAT, fd, u.path.address(), 0, 0, userData);
                SqeLayout.opFlags(sqes, sqe, u.directory ? AT_REMOVEDIR : 0);
            }
            case FileOps.Mkdir m -> SqeLayout.prep(sqes, sqe, UringAbi.OP_MKDIRAT, fd, m.path.address(), m.mode, 0, userData);
        }
        return sqe;
    }
}
