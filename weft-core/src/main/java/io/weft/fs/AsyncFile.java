package io.weft.fs;

import io.weft.Deadline;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * A file read and written at explicit positions from Weft tasks, without stalling the
 * loop: on io_uring every call is a native op (openat, read, write, fsync, statx, close);
 * on epoll and nio it runs on the blocking pool ({@link io.weft.Blocking}).
 *
 * <pre>{@code
 * try (AsyncFile f = AsyncFile.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
 *     f.writeAll(0, "hello".getBytes(StandardCharsets.UTF_8));
 *     f.force(false);
 * }
 * try (AsyncFile f = AsyncFile.open(path)) {
 *     byte[] b = new byte[5];
 *     f.readFully(0, b);
 * }
 * }</pre>
 *
 * <p>Options are those of {@link java.nio.channels.FileChannel#open} (READ, WRITE, APPEND,
 * CREATE, CREATE_NEW, TRUNCATE_EXISTING, DSYNC, SYNC), and failures are the
 * {@code java.nio.file} exceptions a JDK user expects ({@code NoSuchFileException},
 * {@code AccessDeniedException}, {@code FileSystemException} for EISDIR, ENOSPC, EROFS...),
 * whose messages name the path, the errno and the call. Writing a file opened only for
 * reading throws {@link NonWritableChannelException}, as FileChannel does.
 *
 * <p>Reads and writes take a position and never move a shared file pointer, so any
 * number of tasks may use one file at once. A form taking a {@link Deadline} throws
 * {@link java.io.InterruptedIOException} when it passes; cancellation (task cancelled,
 * thread interrupted) throws {@link java.util.concurrent.CancellationException}. Either way
 * the file is intact and the buffer is not touched by the kernel after the call returns:
 * a read that had already read when it was cancelled returns its bytes. Closing the file
 * from another task makes pending calls throw
 * {@link java.nio.channels.AsynchronousCloseException}.
 *
 * <p>Buffers may be {@code byte[]}, heap or direct {@link ByteBuffer}s, or
 * {@link MemorySegment}s; on io_uring native segments go to the kernel without a copy,
 * heap ones through a native copy.
 */
public final class AsyncFile implements AutoCloseable {

    private final Path path;
    private final OpenMode mode;
    private final FileDriver.OpenFile file;

    private AsyncFile(Path path, OpenMode mode, FileDriver.OpenFile file) {
        this.path = path;
        this.mode = mode;
        this.file = file;
    }

    // ---- opening ------------------------------------------------------------------------

    /** Opens {@code path}; with no options, for reading. Call it from a Weft task. */
    public static AsyncFile open(Path path, OpenOption... options) throws IOException {
        return open(path, Set.of(options), Deadline.NONE);
    }

    /**
     * Opens {@code path} with {@code options}, waiting until {@code deadline}.
     *
     * @throws java.nio.file.NoSuchFileException       no such file, and no CREATE
     * @throws java.nio.file.FileAlreadyExistsException CREATE_NEW and the file exists
     * @throws java.nio.file.AccessDeniedException     EACCES, EPERM
     * @throws java.nio.file.FileSystemException       EISDIR (a directory opened for writing), EROFS, ...
     */
    public static AsyncFile open(Path path, Set<? extends OpenOption> options, Deadline deadline) throws IOException {
        Objects.requireNonNull(path, "path");
        OpenMode mode = OpenMode.of(options);
        FileDriver driver = FileDriver.current("AsyncFile.open");
        return new AsyncFile(path, mode, driver.open(path, mode, deadline.nanoTime()));
    }

    // ---- reading ------------------------------------------------------------------------

    /** Reads up to {@code b.length} bytes from {@code position}; the count, or -1 at end of file. */
    public int read(long position, byte[] b) throws IOException {
        return read(position, b, 0, b.length, Deadline.NONE);
    }

    /** Reads up to {@code len} bytes into {@code b[off..]} from {@code position}; the count, or -1 at end of file. */
    public int read(long position, byte[] b, int off, int len) throws IOException {
        return read(position, b, off, len, Deadline.NONE);
    }

    /** Like {@link #read(long, byte[], int, int)}, waiting until {@code deadline}. */
    public int read(long position, byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(position, MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /** Reads into {@code dst}'s remaining space from {@code position}, advancing its position; -1 at end of file. */
    public int read(long position, ByteBuffer dst) throws IOException {
        return read(position, dst, Deadline.NONE);
    }

    /** Like {@link #read(long, ByteBuffer)}, waiting until {@code deadline}. */
    public int read(long position, ByteBuffer dst, Deadline deadline) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int n = read(position, MemorySegment.ofBuffer(dst), deadline);
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    /** Reads into {@code dst} from {@code position}; the count, or -1 at end of file. */
    public int read(long position, MemorySegment dst) throws IOException {
        return read(position, dst, Deadline.NONE);
    }

    /** Like {@link #read(long, MemorySegment)}, waiting until {@code deadline}. */
    public int read(long position, MemorySegment dst, Deadline deadline) throws IOException {
        checkPosition(position);
        if (!mode.read()) {
            throw new NonReadableChannelException();
        }
        if (dst.byteSize() == 0) {
            return 0;
        }
        return file.read(dst, position, deadline.nanoTime());
    }

    /** Reads exactly {@code b.length} bytes from {@code position}. @throws EOFException if the file ends first */
    public void readFully(long position, byte[] b) throws IOException {
        readFully(position, b, 0, b.length, Deadline.NONE);
    }

    /** Reads exactly {@code len} bytes into {@code b[off..]} from {@code position}. */
    public void readFully(long position, byte[] b, int off, int len) throws IOException {
        readFully(position, b, off, len, Deadline.NONE);
    }

    /** Like {@link #readFully(long, byte[], int, int)}, by {@code deadline} (one deadline for the whole). */
    public void readFully(long position, byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        readFully(position, MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /** Fills {@code dst}'s remaining space from {@code position}, advancing its position. */
    public void readFully(long position, ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int want = dst.remaining();
        readFully(position, MemorySegment.ofBuffer(dst), Deadline.NONE);
        dst.position(dst.position() + want);
    }

    /** Fills {@code dst} from {@code position} by {@code deadline}. @throws EOFException if the file ends first */
    public void readFully(long position, MemorySegment dst, Deadline deadline) throws IOException {
        long done = whole(dst, (d, rest) -> read(position + d, rest, deadline));
        if (done < dst.byteSize()) {
            throw new EOFException("end of file after " + done + " of " + dst.byteSize() + " bytes from position " + position + " of " + path);
        }
    }

    // ---- writing ------------------------------------------------------------------------

    /** Writes some of {@code b[off..off+len)} at {@code position}, at least one byte; the count. */
    public int write(long position, byte[] b, int off, int len) throws IOException {
        return write(position, b, off, len, Deadline.NONE);
    }

    /** Like {@link #write(long, byte[], int, int)}, waiting until {@code deadline}. */
    public int write(long position, byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return write(position, MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /** Writes some of {@code src}'s remaining bytes at {@code position}, advancing its position; the count. */
    public int write(long position, ByteBuffer src) throws IOException {
        int n = write(position, MemorySegment.ofBuffer(src), Deadline.NONE);
        src.position(src.position() + n);
        return n;
    }

    /** Writes some of {@code src} at {@code position}, at least one byte; the count. */
    public int write(long position, MemorySegment src) throws IOException {
        return write(position, src, Deadline.NONE);
    }

    /** Like {@link #write(long, MemorySegment)}, waiting until {@code deadline}. */
    public int write(long position, MemorySegment src, Deadline deadline) throws IOException {
        checkPosition(position);
        if (mode.append()) {
            throw new IllegalStateException(path + " was opened with APPEND: use append(...)");
        }
        return writeSome(position, src, deadline);
    }

    private int writeSome(long position, MemorySegment src, Deadline deadline) throws IOException {
        if (!mode.write()) {
            throw new NonWritableChannelException();
        }
        if (src.byteSize() == 0) {
            return 0;
        }
        return file.write(src, position, deadline.nanoTime());
    }

    /** Writes all of {@code b} at {@code position}. */
    public void writeAll(long position, byte[] b) throws IOException {
        writeAll(position, b, 0, b.length, Deadline.NONE);
    }

    /** Writes all of {@code b[off..off+len)} at {@code position}. */
    public void writeAll(long position, byte[] b, int off, int len) throws IOException {
        writeAll(position, b, off, len, Deadline.NONE);
    }

    /** Like {@link #writeAll(long, byte[], int, int)}, by {@code deadline} (one deadline for the whole). */
    public void writeAll(long position, byte[] b, int off, int len, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        writeAll(position, MemorySegment.ofArray(b).asSlice(off, len), deadline);
    }

    /** Writes all of {@code src}'s remaining bytes at {@code position}, advancing its position. */
    public void writeAll(long position, ByteBuffer src) throws IOException {
        int len = src.remaining();
        writeAll(position, MemorySegment.ofBuffer(src), Deadline.NONE);
        src.position(src.position() + len);
    }

    /** Writes all of {@code src} at {@code position} by {@code deadline}. */
    public void writeAll(long position, MemorySegment src, Deadline deadline) throws IOException {
        whole(src, (d, rest) -> write(position + d, rest, deadline));
    }

    // ---- appending (files opened with APPEND) ------------------------------------------

    /** Appends all of {@code b}; each write lands at the end, even with other writers (O_APPEND). */
    public void append(byte[] b) throws IOException {
        append(b, 0, b.length);
    }

    /** Appends all of {@code b[off..off+len)}. */
    public void append(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        append(MemorySegment.ofArray(b).asSlice(off, len), Deadline.NONE);
    }

    /** Appends all of {@code src}'s remaining bytes, advancing its position. */
    public void append(ByteBuffer src) throws IOException {
        int len = src.remaining();
        append(MemorySegment.ofBuffer(src), Deadline.NONE);
        src.position(src.position() + len);
    }

    /** Appends all of {@code src} by {@code deadline}. */
    public void append(MemorySegment src, Deadline deadline) throws IOException {
        if (!mode.append()) {
            throw new IllegalStateException(path + " was not opened with APPEND");
        }
        whole(src, (d, rest) -> writeSome(-1, rest, deadline));
    }

    // ---- the file as a whole ------------------------------------------------------------

    /** The file's current size in bytes. */
    public long size() throws IOException {
        return file.size();
    }

    /**
     * Cuts the file to {@code size} bytes if it is longer; a shorter file is left as it is
     * (as {@link java.nio.channels.FileChannel#truncate}).
     */
    public void truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("negative size: " + size);
        }
        if (!mode.write()) {
            throw new NonWritableChannelException();
        }
        file.truncate(size);
    }

    /**
     * Makes what was written durable: fsync(2), or fdatasync(2) when {@code metaData} is
     * false (the content and the size, not times).
     */
    public void force(boolean metaData) throws IOException {
        file.force(metaData);
    }

    public Path path() {
        return path;
    }

    public boolean isOpen() {
        return file.isOpen();
    }

    /** Closes the file; calls pending in other tasks throw AsynchronousCloseException. Idempotent. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    /** One read or write of a loop over a segment: {@code rest} starts {@code done} bytes in. */
    @FunctionalInterface
    private interface Step {
        int transfer(long done, MemorySegment rest) throws IOException;
    }

    /** Runs {@code step} until all of {@code segment} is moved or it returns -1; the bytes moved. */
    private static long whole(MemorySegment segment, Step step) throws IOException {
        long done = 0;
        long len = segment.byteSize();
        while (done < len) {
            int n = step.transfer(done, segment.asSlice(done));
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
    }

    @Override
    public String toString() {
        return "AsyncFile[" + path + "]";
    }
}
