package io.weft.fs;

import io.weft.internal.backend.Capability;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Failures;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * How file I/O runs on the calling task's loop: as native ops of its backend
 * ({@link NativeFiles}, when the backend has {@link Capability#NATIVE_FILE_IO}), or as
 * JDK calls on the blocking pool ({@link PooledFiles}). Deadlines are on the
 * {@link System#nanoTime()} scale, {@code Long.MAX_VALUE} for none.
 */
sealed interface FileDriver permits NativeFiles, PooledFiles {

    /** The driver for the calling task's loop. */
    static FileDriver current(String what) {
        EventLoop loop = Failures.inTask(EventLoop.current(), what);
        return loop.provider().capabilities().contains(Capability.NATIVE_FILE_IO) ? new NativeFiles(loop) : PooledFiles.INSTANCE;
    }

    OpenFile open(Path path, OpenMode mode, long deadline) throws IOException;

    FileStat stat(Path path, boolean followLinks) throws IOException;

    void createDirectory(Path dir) throws IOException;

    /** Deletes a file or an empty directory. */
    void delete(Path path) throws IOException;

    /** rename(2): atomic; an existing file at {@code to} is replaced. */
    void rename(Path from, Path to) throws IOException;

    /** One open file. Any task may call; a loop's task runs ops on its own loop. */
    interface OpenFile {
        /** Reads into {@code dst} (never empty) at {@code position}; the count, or -1 at end of file. */
        int read(MemorySegment dst, long position, long deadline) throws IOException;

        /** Writes some of {@code src} (never empty) at {@code position}, or at the end if -1 (append mode); the count. */
        int write(MemorySegment src, long position, long deadline) throws IOException;

        long size() throws IOException;

        /** Cuts the file to {@code size} if it is longer (FileChannel.truncate). */
        void truncate(long size) throws IOException;

        void force(boolean metaData) throws IOException;

        boolean isOpen();

        void close() throws IOException;
    }
}
