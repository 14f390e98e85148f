package io.weft.internal.backend.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct io_uring_sqe}: one submission queue entry, 64 bytes. Only the union members
 * this backend writes are named; the rest is zero.
 *
 * <pre>
 *  0       1       2               4                               8
 *  +-------+-------+---------------+-------------------------------+
 *  |opcode | flags |    ioprio     |  fd (futex wait: futex2 flags)|
 *  +-------+-------+---------------+-------------------------------+
 *  |             off / addr2 (connect: addrlen)                    |  8
 *  +---------------------------------------------------------------+
 *  |             addr (buffer, sockaddr, timespec, target udata)   | 16
 *  +-------------------------------+-------------------------------+
 *  |              len              | op_flags (rw/msg/poll32/...)  | 24
 *  +-------------------------------+-------------------------------+
 *  |                           user_data                           | 32
 *  +---------------+---------------+-------------------------------+
 *  |   buf_index   |  personality  | file_index / splice_fd_in     | 40
 *  +---------------+---------------+-------------------------------+
 *  |             addr3 (futex wait: the bitset mask)               | 48
 *  +---------------------------------------------------------------+
 *  |                         __pad2                                | 56
 *  +---------------------------------------------------------------+ 64
 * </pre>
 */
final class SqeLayout {
    private SqeLayout() {
    }

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("opcode"),
            ValueLayout.JAVA_BYTE.withName("flags"),
            ValueLayout.JAVA_SHORT.withName("ioprio"),
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_LONG.withName("off"),
            ValueLayout.JAVA_LONG.withName("addr"),
            ValueLayout.JAVA_INT.withName("len"),
            ValueLayout.JAVA_INT.withName("op_flags"),
            ValueLayout.JAVA_LONG.withName("user_data"),
            ValueLayout.JAVA_SHORT.withName("buf_index"),
            ValueLayout.JAVA_SHORT.withName("personality"),
            ValueLayout.JAVA_INT.withName("file_index"),
            ValueLayout.JAVA_LONG.withName("addr3"),
            ValueLayout.JAVA_LONG.withName("pad2")).withName("io_uring_sqe");

    static final long SIZE = LAYOUT.byteSize();
    static final long OPCODE = offset("opcode");
    static final long FLAGS = offset("flags");
    static final long IOPRIO = offset("ioprio");
    static final long FD = offset("fd");
    static final long OFF = offset("off");
    static final long ADDR = offset("addr");
    static final long LEN = offset("len");
    static final long OP_FLAGS = offset("op_flags");
    static final long USER_DATA = offset("user_data");
    static final long BUF_INDEX = offset("buf_index");
    static final long FILE_INDEX = offset("file_index");
    static final long ADDR3 = offset("addr3");
    static final long PAD2 = offset("pad2");

    private static long offset(String field) {
        return LAYOUT.byteOffset(PathElement.groupElement(field));
    }

    /**
     * Fills the SQE at {@code base} in {@code sqes}; every other field is zeroed, so an SQE
     * never carries a stale flag from its previous use.
     */
    static void prep(MemorySegment sqes, long base, byte opcode, int fd, long addr, int len, long off, long userData) {
        sqes.set(ValueLayout.JAVA_BYTE, base + OPCODE, opcode);
        sqes.set(ValueLayout.JAVA_BYTE, base + FLAGS, (byte) 0);
        sqes.set(ValueLayout.JAVA_SHORT, base + IOPRIO, (short) 0);
        sqes.set(ValueLayout.JAVA_INT, base + FD, fd);
        sqes.set(ValueLayout.JAVA_LONG, base + OFF, off);
        sqes.set(ValueLayout.JAVA_LONG, base + ADDR, addr);
        sqes.set(ValueLayout.JAVA_INT, base + LEN, len);
        sqes.set(ValueLayout.JAVA_INT, base + OP_FLAGS, 0);
        sqes.set(ValueLayout.JAVA_LONG, base + USER_DATA, userData);
        sqes.set(ValueLayout.JAVA_INT, base + BUF_INDEX, 0); // and personality
        sqes.set(ValueLayout.JAVA_INT, base + FILE_INDEX, 0);
        sqes.set(ValueLayout.JAVA_LONG, base + ADDR3, 0L);
        sqes.set(ValueLayout.JAVA_LONG, base + PAD2, 0L);
    }

    static void flags(MemorySegment sqes, long base, byte flags) {
        sqes.set(ValueLayout.JAVA_BYTE, base + FLAGS, flags);
    }

    static void ioprio(MemorySegment sqes, long base, short ioprio) {
        sqes.set(ValueLayout.JAVA_SHORT, base + IOPRIO, ioprio);
    }

    static void opFlags(MemorySegment sqes, long base, int opFlags) {
        sqes.set(ValueLayout.JAVA_INT, base + OP_FLAGS, opFlags);
    }

    static void addr3(MemorySegment sqes, long base, long addr3) {
        sqes.set(ValueLayout.JAVA_LONG, base + ADDR3, addr3);
    }

    static void bufIndex(MemorySegment sqes, long base, short index) {
        sqes.set(ValueLayout.JAVA_SHORT, base + BUF_INDEX, index);
    }
}
