package io.weft.internal.backend.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct io_uring_params}, 120 bytes: what {@code io_uring_setup} takes (entries,
 * flags) and fills in (sizes, features, and where in the mapped rings each field lives).
 *
 * <pre>
 *   0  sq_entries     4  cq_entries     8  flags         12  sq_thread_cpu
 *  16  sq_thread_idle 20  features      24  wq_fd         28  resv[3]
 *  40  sq_off: io_sqring_offsets (40 bytes)
 *        +0 head  +4 tail  +8 ring_mask  +12 ring_entries  +16 flags
 *       +20 dropped  +24 array  +28 resv1  +32 user_addr (u64)
 *  80  cq_off: io_cqring_offsets (40 bytes)
 *        +0 head  +4 tail  +8 ring_mask  +12 ring_entries  +16 overflow
 *       +20 cqes  +24 flags  +28 resv1  +32 user_addr (u64)
 * 120
 * </pre>
 *
 * The {@code *_off} values are byte offsets into the mapping of the SQ ring (or CQ ring;
 * with IORING_FEAT_SINGLE_MMAP both are one mapping).
 */
final class ParamsLayout {
    private ParamsLayout() {
    }

    static final StructLayout SQ_OFFSETS = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("head"),
            ValueLayout.JAVA_INT.withName("tail"),
            ValueLayout.JAVA_INT.withName("ring_mask"),
            ValueLayout.JAVA_INT.withName("ring_entries"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("dropped"),
            ValueLayout.JAVA_INT.withName("array"),
            ValueLayout.JAVA_INT.withName("resv1"),
            ValueLayout.JAVA_LONG.withName("user_addr")).withName("io_sqring_offsets");

    static final StructLayout CQ_OFFSETS = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("head"),
            ValueLayout.JAVA_INT.withName("tail"),
            ValueLayout.JAVA_INT.withName("ring_mask"),
            ValueLayout.JAVA_INT.withName("ring_entries"),
            ValueLayout.JAVA_INT.withName("overflow"),
            ValueLayout.JAVA_INT.withName("cqes"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("resv1"),
            ValueLayout.JAVA_LONG.withName("user_addr")).withName("io_cqring_offsets");

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("sq_entries"),
            ValueLayout.JAVA_INT.withName("cq_entries"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("sq_thread_cpu"),
            ValueLayout.JAVA_INT.withName("sq_thread_idle"),
            ValueLayout.JAVA_INT.withName("features"),
            ValueLayout.JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_INT).withName("resv"),
            SQ_OFFSETS.withName("sq_off"),
            CQ_OFFSETS.withName("cq_off")).withName("io_uring_params");

    static final long SIZE = LAYOUT.byteSize();
    static final long SQ_ENTRIES = top("sq_entries");
    static final long CQ_ENTRIES = top("cq_entries");
    static final long FLAGS = top("flags");
    static final long FEATURES = top("features");

    static final long SQ_HEAD = sq("head");
    static final long SQ_TAIL = sq("tail");
    static final long SQ_RING_MASK = sq("ring_mask");
    static final long SQ_FLAGS = sq("flags");
    static final long SQ_DROPPED = sq("dropped");
    static final long SQ_ARRAY = sq("array");

    static final long CQ_HEAD = cq("head");
    static final long CQ_TAIL = cq("tail");
    static final long CQ_RING_MASK = cq("ring_mask");
    static final long CQ_OVERFLOW = cq("overflow");
    static final long CQ_CQES = cq("cqes");

    private static long top(String field) {
        return LAYOUT.byteOffset(PathElement.groupElement(field));
    }

    private static long sq(String field) {
        return LAYOUT.byteOffset(PathElement.groupElement("sq_off"), PathElement.groupElement(field));
    }

    private static long cq(String field) {
        return LAYOUT.byteOffset(PathElement.groupElement("cq_off"), PathElement.groupElement(field));
    }
}
