package io.weft.fs;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** An open file as a {@link FileChannel} whose calls run on the blocking pool ({@link PooledFiles}). */
final class PooledFile implements FileDriver.OpenFile {

    private final Path path;
    private final FileChannel channel;

    PooledFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    @Override
    public int read(MemorySegment dst, long position, long deadline) throws IOException {
        if (poolCanAccess(dst)) {
            ByteBuffer b = buffer(dst);
            return PooledFiles.run(() -> channel.read(b, position), deadline, "read", path);
        }
        // A confined segment: only this task may touch it, so the pool reads into a copy.
        byte[] copy = new byte[(int) Math.min(dst.byteSize(), NativeFiles.BOUNCE_MAX)];
        int n = PooledFiles.run(() -> channel.read(ByteBuffer.wrap(copy), position), deadline, "read", path);
        if (n > 0) {
            MemorySegment.copy(MemorySegment.ofArray(copy), 0, dst, 0, n);
        }
        return n;
    }

    @Override
    public int write(MemorySegment src, long position, long deadline) throws IOException {
        ByteBuffer b = poolCanAccess(src) ? buffer(src)
                : ByteBuffer.wrap(src.asSlice(0, Math.min(src.byteSize(), NativeFiles.BOUNCE_MAX)).toArray(ValueLayout.JAVA_BYTE));
        // A channel opened with APPEND writes at the end on a relative write.
        return PooledFiles.run(() -> position < 0 ? channel.write(b) : channel.write(b, position), deadline, "write", path);
    }

    /** A thread that is never started: a segment it may access is one any pool thread may. */
    private static final Thread ANOTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    private static boolean poolCanAccess(MemorySegment s) {
        return s.isAccessibleBy(ANOTHER_THREAD);
    }

    private static ByteBuffer buffer(MemorySegment s) {
        return (s.byteSize() > Integer.MAX_VALUE ? s.asSlice(0, Integer.MAX_VALUE) : s).asByteBuffer();
    }

    @Override
    public long size() throws IOException {
        return PooledFiles.run(channel::size, Long.MAX_VALUE, "size", path);
    }

    @Override
    public void truncate(long size) throws IOException {
        PooledFiles.run(() -> channel.truncate(size), Long.MAX_VALUE, "truncate", path);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        PooledFiles.run(() -> {
            channel.force(metaData);
            return null;
        }, Long.MAX_VALUE, "fsync", path);
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        PooledFiles.run(() -> {
            channel.close();
            return null;
        }, Long.MAX_VALUE, "close", path);
    }

    @Override
    public String toString() {
        return "PooledFile[" + path + "]";
    }
}
