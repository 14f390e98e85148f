package io.weft.internal.backend;

import io.weft.internal.linux.IovecLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Helpers for the vectored ops ({@link NetOps.ReadV}, {@link NetOps.WriteV}) that every
 * backend shares: a kernel gets an iovec array only when all segments are native; heap
 * segments are gathered into, or scattered from, one native buffer around a plain read
 * or write.
 */
public final class Vectored {
    private Vectored() {
    }

    /** The most segments one vectored op takes; the stream splits longer arrays. */
    public static final int MAX_SEGMENTS = 64;

    /** Bytes for an iovec array of {@link #MAX_SEGMENTS}. */
    public static final long IOVECS_BYTES = MAX_SEGMENTS * IovecLayout.SIZE;

    public static boolean allNative(MemorySegment[] segments) {
        for (MemorySegment s : segments) {
            if (!s.isNative()) {
                return false;
            }
        }
        return true;
    }

    public static long size(MemorySegment[] segments) {
        long n = 0;
        for (MemorySegment s : segments) {
            n += s.byteSize();
        }
        return n;
    }

    /** Writes one iovec per segment into {@code iov}; returns the count. */
    public static int iovecs(MemorySegment[] segments, MemorySegment iov) {
        for (int i = 0; i < segments.length; i++) {
            long at = i * IovecLayout.SIZE;
            iov.set(ValueLayout.JAVA_LONG, at + IovecLayout.BASE, segments[i].address());
            iov.set(ValueLayout.JAVA_LONG, at + IovecLayout.LEN, segments[i].byteSize());
        }
        return segments.length;
    }

    /** Copies the segments, in order, into {@code dst} until it is full; returns the bytes copied. */
    public static int gather(MemorySegment[] src, MemorySegment dst) {
        long done = 0;
        for (MemorySegment s : src) {
            long n = Math.min(s.byteSize(), dst.byteSize() - done);
            MemorySegment.copy(s, 0, dst, done, n);
            done += n;
            if (done == dst.byteSize()) {
                break;
            }
        }
        return (int) done;
    }

    /** Copies the first {@code length} bytes of {@code src} into the segments, in order. */
    public static void scatter(MemorySegment src, long length, MemorySegment[] dst) {
        long done = 0;
        for (MemorySegment d : dst) {
            if (done == length) {
                return;
            }
            long n = Math.min(d.byteSize(), length - done);
            MemorySegment.copy(src, done, d, 0, n);
            done += n;
        }
    }
}
