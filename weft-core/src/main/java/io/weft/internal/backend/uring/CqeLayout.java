package io.weft.internal.backend.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct io_uring_cqe}: one completion queue entry, 16 bytes (the ring is not set up
 * with CQE32).
 *
 * <pre>
 *  0                               8               12              16
 *  +-------------------------------+---------------+---------------+
 *  |          user_data            |      res      |     flags     |
 *  +-------------------------------+---------------+---------------+
 *   copied from the SQE             result or       CQE_F_MORE, ...
 *                                   -errno
 * </pre>
 */
final class CqeLayout {
    private CqeLayout() {
    }

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("user_data"),
            ValueLayout.JAVA_INT.withName("res"),
            ValueLayout.JAVA_INT.withName("flags")).withName("io_uring_cqe");

    static final long SIZE = LAYOUT.byteSize();
    static final long USER_DATA = LAYOUT.byteOffset(PathElement.groupElement("user_data"));
    static final long RES = LAYOUT.byteOffset(PathElement.groupElement("res"));
    static final long FLAGS = LAYOUT.byteOffset(PathElement.groupElement("flags"));
}
