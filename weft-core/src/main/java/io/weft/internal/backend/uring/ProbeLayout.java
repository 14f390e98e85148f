package io.weft.internal.backend.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct io_uring_probe}, filled by {@code IORING_REGISTER_PROBE}: a 16-byte header
 * and one 8-byte {@code io_uring_probe_op} per opcode.
 *
 * <pre>
 *  0        1        2                4                               16
 *  +--------+--------+----------------+-------------------------------+
 *  |last_op | ops_len|      resv      |           resv2[3]            |
 *  +--------+--------+----------------+-------------------------------+
 *  ops[i], 8 bytes each, at 16 + 8 * i:
 *  +--------+--------+----------------+-------------------------------+
 *  |   op   |  resv  | flags (bit 0:  |            resv2              |
 *  |        |        |   SUPPORTED)   |                               |
 *  +--------+--------+----------------+-------------------------------+
 * </pre>
 */
final class ProbeLayout {
    private ProbeLayout() {
    }

    static final StructLayout OP = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("op"),
            ValueLayout.JAVA_BYTE.withName("resv"),
            ValueLayout.JAVA_SHORT.withName("flags"),
            ValueLayout.JAVA_INT.withName("resv2")).withName("io_uring_probe_op");

    static final StructLayout HEADER = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("last_op"),
            ValueLayout.JAVA_BYTE.withName("ops_len"),
            ValueLayout.JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_INT).withName("resv2")).withName("io_uring_probe");

    static final long OPS_LEN = HEADER.byteOffset(PathElement.groupElement("ops_len"));
    static final long OP_FLAGS = OP.byteOffset(PathElement.groupElement("flags"));

    /** Bytes for a probe with room for {@code ops} opcodes. */
    static long size(int ops) {
        return HEADER.byteSize() + ops * OP.byteSize();
    }

    /** Offset of {@code ops[i].flags}. */
    static long opFlags(int i) {
        return HEADER.byteSize() + i * OP.byteSize() + OP_FLAGS;
    }
}
