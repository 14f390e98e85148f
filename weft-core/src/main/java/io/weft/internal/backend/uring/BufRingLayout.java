package io.weft.internal.backend.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The provided-buffer ring (IORING_REGISTER_PBUF_RING): an array of {@code io_uring_buf}
 * that we fill and the kernel takes from, and the {@code io_uring_buf_reg} that registers it.
 *
 * <pre>
 * io_uring_buf, 16 bytes, entries[i] at 16 * i:
 *  0                8              12       14       16
 *  +----------------+--------------+--------+--------+
 *  |      addr      |     len      |  bid   |  resv  |
 *  +----------------+--------------+--------+--------+
 *                                             ^ in entries[0] only, this u16 is the
 *                                               ring's tail (we write, kernel reads)
 *
 * io_uring_buf_reg, 40 bytes:
 *  0                8              12       14       16                          40
 *  +----------------+--------------+--------+--------+---------------------------+
 *  |   ring_addr    | ring_entries |  bgid  | flags  |         resv[3]           |
 *  +----------------+--------------+--------+--------+---------------------------+
 * </pre>
 */
final class BufRingLayout {
    private BufRingLayout() {
    }

    static final StructLayout BUF = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("addr"),
            ValueLayout.JAVA_INT.withName("len"),
            ValueLayout.JAVA_SHORT.withName("bid"),
            ValueLayout.JAVA_SHORT.withName("resv")).withName("io_uring_buf");

    static final StructLayout REG = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("ring_addr"),
            ValueLayout.JAVA_INT.withName("ring_entries"),
            ValueLayout.JAVA_SHORT.withName("bgid"),
            ValueLayout.JAVA_SHORT.withName("flags"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_LONG).withName("resv")).withName("io_uring_buf_reg");

    static final long BUF_SIZE = BUF.byteSize();
    static final long BUF_ADDR = BUF.byteOffset(PathElement.groupElement("addr"));
    static final long BUF_LEN = BUF.byteOffset(PathElement.groupElement("len"));
    static final long BUF_BID = BUF.byteOffset(PathElement.groupElement("bid"));
    /** The ring's tail: the resv field of entries[0]. */
    static final long RING_TAIL = BUF.byteOffset(PathElement.groupElement("resv"));

    static final long REG_RING_ADDR = REG.byteOffset(PathElement.groupElement("ring_addr"));
    static final long REG_RING_ENTRIES = REG.byteOffset(PathElement.groupElement("ring_entries"));
    static final long REG_BGID = REG.byteOffset(PathElement.groupElement("bgid"));
}
