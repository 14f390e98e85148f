package io.weft.internal.backend;

import java.lang.foreign.MemorySegment;

/**
 * The file ops of the backend SPI, for backends with {@link Capability#NATIVE_FILE_IO}.
 * Results follow the syscalls: a count or an fd, or a negative errno. Backends without the
 * capability complete them with {@code -EOPNOTSUPP}; {@code io.weft.fs} then never sends
 * them, and runs file I/O on the blocking pool instead.
 *
 * <p>Every segment an op names is native and belongs to the op's waiter, which frees it
 * only after the op's final completion (DESIGN section 3): the kernel may read or write it
 * until then, cancelled or not. Paths are NUL-terminated.
 */
public final class FileOps {
    private FileOps() {
    }

    /** {@code AT_FDCWD}: a path op's paths are taken as given (absolute, or from the working directory). */
    public static final int AT_FDCWD = -100;

    /** A file op: either on an open file ({@link FileHandle}) or on paths ({@link PathHandle}). */
    public abstract static sealed class FileOp extends IoOp permits PathOp, Transfer, Sync, Stat, Close {
        FileOp(Handle handle) {
            super(handle);
        }

        /** The fd the SQE names: the open file's, or AT_FDCWD for path ops. */
        public int fd() {
            return handle() instanceof FileHandle f ? f.fd() : AT_FDCWD;
        }
    }

    /** An open file as the ops see it: an fd that stays valid while an op holds the handle. */
    public abstract static class FileHandle extends Handle {
        public abstract int fd();
    }

    /**
     * The handle of one path op (open, stat, rename, ...): nothing to release, and made per
     * op, so path ops of many tasks never share a monitor.
     */
    public static final class PathHandle extends Handle {
        @Override
        protected void closeNow() {
        }
    }

    abstract static sealed class PathOp extends FileOp permits Open, Rename, Unlink, Mkdir {
        PathOp() {
            super(new PathHandle());
        }
    }

    /** openat(AT_FDCWD, path, flags, mode); completes with the new fd. */
    public static final class Open extends PathOp {
        public final MemorySegment path;
        public final int flags;
        public final int mode;

        public Open(MemorySegment path, int flags, int mode) {
            this.path = path;
            this.flags = flags;
            this.mode = mode;
        }
    }

    /** A read or write of native {@code buffer} at {@code position} of an open file. */
    public abstract static sealed class Transfer extends FileOp permits Read, Write {
        public final MemorySegment buffer;
        public final long position;

        Transfer(FileHandle file, MemorySegment buffer, long position) {
            super(file);
            this.buffer = buffer;
            this.position = position;
        }
    }

    /** Reads into {@code buffer} at {@code position}; completes with the count, 0 at end of file. */
    public static final class Read extends Transfer {
        public Read(FileHandle file, MemorySegment buffer, long position) {
            super(file, buffer, position);
        }
    }

    /**
     * Writes {@code buffer} at {@code position}, or at the file's position when it is
     * {@link #AT_FILE_POSITION} (the end, for a file opened with O_APPEND); completes with
     * the count.
     */
    public static final class Write extends Transfer {
        public static final long AT_FILE_POSITION = -1;

        public Write(FileHandle file, MemorySegment buffer, long position) {
            super(file, buffer, position);
        }
    }

    /** fsync(2), or fdatasync(2) when {@code dataOnly}; completes with 0. */
    public static final class Sync extends FileOp {
        public final boolean dataOnly;

        public Sync(FileHandle file, boolean dataOnly) {
            super(file);
            this.dataOnly = dataOnly;
        }
    }

    /**
     * statx(2) into {@code buffer} (a {@code io.weft.internal.linux.StatxLayout}); completes
     * with 0. On a path ({@link #ofPath}), or on an open file ({@link #ofFile}: empty path,
     * AT_EMPTY_PATH).
     */
    public static final class Stat extends FileOp {
        public final MemorySegment path;
        public final int flags;
        public final int mask;
        public final MemorySegment buffer;

        private Stat(FileHandle file, MemorySegment path, int flags, int mask, MemorySegment buffer) {
            super(file != null ? file : new PathHandle());
            this.path = path;
            this.flags = flags;
            this.mask = mask;
            this.buffer = buffer;
        }

        /** statx of {@code path}; {@code flags} may hold AT_SYMLINK_NOFOLLOW. */
        public static Stat ofPath(MemorySegment path, int flags, int mask, MemorySegment buffer) {
            return new Stat(null, path, flags, mask, buffer);
        }

        /** statx of an open file; {@code emptyPath} is a native "" the caller owns. */
        public static Stat ofFile(FileHandle file, MemorySegment emptyPath, int atEmptyPath, int mask, MemorySegment buffer) {
            return new Stat(file, emptyPath, atEmptyPath, mask, buffer);
        }
    }

    /** Closes {@code fd}, which no other op or call names any more; completes with 0. */
    public static final class Close extends FileOp {
        private final int fd;

        public Close(int fd) {
            super(new PathHandle());
            this.fd = fd;
        }

        @Override
        public int fd() {
            return fd;
        }
    }

    /** renameat2(AT_FDCWD, from, AT_FDCWD, to, flags); completes with 0. */
    public static final class Rename extends PathOp {
        public final MemorySegment from;
        public final MemorySegment to;
        public final int flags;

        public Rename(MemorySegment from, MemorySegment to, int flags) {
            this.from = from;
            this.to = to;
            this.flags = flags;
        }
    }

    /** unlinkat(AT_FDCWD, path, directory ? AT_REMOVEDIR : 0); completes with 0. */
    public static final class Unlink extends PathOp {
        public final MemorySegment path;
        public final boolean directory;

        public Unlink(MemorySegment path, boolean directory) {
            this.path = path;
            this.directory = directory;
        }
    }

    /** mkdirat(AT_FDCWD, path, mode); completes with 0. */
    public static final class Mkdir extends PathOp {
        public final MemorySegment path;
        public final int mode;

        public Mkdir(MemorySegment path, int mode) {
            this.path = path;
            this.mode = mode;
        }
    }
}
