package io.weft.internal.backend.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The small structs passed by pointer to {@code io_uring_enter} and {@code io_uring_register}.
 *
 * <pre>
 * io_uring_getevents_arg (IORING_ENTER_EXT_ARG), 24 bytes:
 *  0                8              12             16                24
 *  +----------------+--------------+--------------+-----------------+
 *  |    sigmask     |  sigmask_sz  |     pad      | ts (timespec *) |
 *  +----------------+--------------+--------------+-----------------+
 *
 * __kernel_timespec (waits, and TIMEOUT / LINK_TIMEOUT SQEs), 16 bytes:
 *  0                8                16
 *  +----------------+----------------+
 *  |     tv_sec     |    tv_nsec     |
 *  +----------------+----------------+
 *
 * io_uring_rsrc_update (IORING_REGISTER_RING_FDS), 16 bytes:
 *  0        4        8                16
 *  +--------+--------+----------------+
 *  | offset |  resv  |  data (fd)     |
 *  +--------+--------+----------------+
 *
 * IORING_REGISTER_BUFFERS takes iovecs: see io.weft.internal.linux.IovecLayout.
 * </pre>
 */
final class EnterArgLayout {
    private EnterArgLayout() {
    }

    static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("sigmask"),
            ValueLayout.JAVA_INT.withName("sigmask_sz"),
            ValueLayout.JAVA_INT.withName("pad"),
            ValueLayout.JAVA_LONG.withName("ts")).withName("io_uring_getevents_arg");

    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("tv_sec"),
            ValueLayout.JAVA_LONG.withName("tv_nsec")).withName("__kernel_timespec");

    static final StructLayout RSRC_UPDATE = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("offset"),
            ValueLayout.JAVA_INT.withName("resv"),
            ValueLayout.JAVA_LONG.withName("data")).withName("io_uring_rsrc_update");

    static final long ARG_TS = GETEVENTS_ARG.byteOffset(PathElement.groupElement("ts"));
    static final long TS_SEC = TIMESPEC.byteOffset(PathElement.groupElement("tv_sec"));
    static final long TS_NSEC = TIMESPEC.byteOffset(PathElement.groupElement("tv_nsec"));
    static final long RSRC_OFFSET = RSRC_UPDATE.byteOffset(PathElement.groupElement("offset"));
    static final long RSRC_DATA = RSRC_UPDATE.byteOffset(PathElement.groupElement("data"));
}
