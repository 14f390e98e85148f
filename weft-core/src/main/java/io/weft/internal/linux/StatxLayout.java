package io.weft.internal.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct statx} (include/uapi/linux/stat.h), 256 bytes, as statx(2) and io_uring's
 * STATX fill it. Only the fields Weft reads are named; the rest is padding here.
 *
 * <pre>
 *  0x00  +----------------+----------------+---------------------------------+
 *        |   stx_mask     |  stx_blksize   |        stx_attributes           |
 *  0x10  +----------------+----------------+----------------+-------+--------+
 *        |   stx_nlink    |    stx_uid     |    stx_gid     | mode  | spare  |
 *  0x20  +----------------+----------------+----------------+-------+--------+
 *        |            stx_ino              |            stx_size             |
 *  0x30  +---------------------------------+---------------------------------+
 *        |           stx_blocks            |       stx_attributes_mask       |
 *  0x40  +---------------------------------+---------------------------------+
 *        |  stx_atime {i64 sec, u32 nsec, pad}  |  stx_btime (same)          |
 *  0x60  +---------------------------------+---------------------------------+
 *        |  stx_ctime                       |  stx_mtime                     |
 *  0x80  +---------------------------------+---------------------------------+
 *        |  rdev major/minor, dev major/minor, mnt_id, dio alignments, spare  |
 * 0x100  +-------------------------------------------------------------------+
 * </pre>
 */
public final class StatxLayout {
    private StatxLayout() {
    }

    private static final StructLayout TIMESTAMP = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("tv_sec"),
            ValueLayout.JAVA_INT.withName("tv_nsec"),
            ValueLayout.JAVA_INT.withName("reserved"));

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("stx_mask"),
            ValueLayout.JAVA_INT.withName("stx_blksize"),
            ValueLayout.JAVA_LONG.withName("stx_attributes"),
            ValueLayout.JAVA_INT.withName("stx_nlink"),
            ValueLayout.JAVA_INT.withName("stx_uid"),
            ValueLayout.JAVA_INT.withName("stx_gid"),
            ValueLayout.JAVA_SHORT.withName("stx_mode"),
            MemoryLayout.paddingLayout(2),
            ValueLayout.JAVA_LONG.withName("stx_ino"),
            ValueLayout.JAVA_LONG.withName("stx_size"),
            ValueLayout.JAVA_LONG.withName("stx_blocks"),
            ValueLayout.JAVA_LONG.withName("stx_attributes_mask"),
            TIMESTAMP.withName("stx_atime"),
            TIMESTAMP.withName("stx_btime"),
            TIMESTAMP.withName("stx_ctime"),
            TIMESTAMP.withName("stx_mtime"),
            MemoryLayout.paddingLayout(0x100 - 0x80)).withName("statx");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long MASK = offset("stx_mask");
    public static final long NLINK = offset("stx_nlink");
    public static final long MODE = offset("stx_mode");
    public static final long INO = offset("stx_ino");
    public static final long SIZE_FIELD = offset("stx_size");
    public static final long MTIME = offset("stx_mtime");
    private static final long TV_NSEC = TIMESTAMP.byteOffset(PathElement.groupElement("tv_nsec"));

    // statx(2) request mask bits (STATX_*) and flags (AT_*), from the uapi headers.
    public static final int STATX_TYPE = 0x1;
    public static final int STATX_MODE = 0x2;
    public static final int STATX_NLINK = 0x4;
    public static final int STATX_MTIME = 0x40;
    public static final int STATX_INO = 0x100;
    public static final int STATX_SIZE = 0x200;
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_EMPTY_PATH = 0x1000;

    // st_mode file types (S_IF*), octal as in <sys/stat.h>.
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;

    private static long offset(String field) {
        return LAYOUT.byteOffset(PathElement.groupElement(field));
    }

    public static int mode(MemorySegment s) {
        return Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT, MODE));
    }

    public static long size(MemorySegment s) {
        return s.get(ValueLayout.JAVA_LONG, SIZE_FIELD);
    }

    public static long inode(MemorySegment s) {
        return s.get(ValueLayout.JAVA_LONG, INO);
    }

    public static int nlink(MemorySegment s) {
        return s.get(ValueLayout.JAVA_INT, NLINK);
    }

    /** stx_mtime's seconds. */
    public static long mtimeSeconds(MemorySegment s) {
        return s.get(ValueLayout.JAVA_LONG, MTIME);
    }

    /** stx_mtime's nanoseconds (0..999,999,999). */
    public static int mtimeNanos(MemorySegment s) {
        return s.get(ValueLayout.JAVA_INT, MTIME + TV_NSEC);
    }
}
