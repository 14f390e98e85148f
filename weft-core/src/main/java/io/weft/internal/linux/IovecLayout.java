package io.weft.internal.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct iovec}, the element of readv(2)/writev(2) arrays and of io_uring's
 * READV/WRITEV and buffer registration.
 *
 * <pre>
 *  0               8               16
 *  +---------------+---------------+
 *  | iov_base      | iov_len       |
 *  | void *        | size_t        |
 *  +---------------+---------------+
 * </pre>
 */
public final class IovecLayout {
    private IovecLayout() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("iov_base"),
            ValueLayout.JAVA_LONG.withName("iov_len")).withName("iovec");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long BASE = LAYOUT.byteOffset(PathElement.groupElement("iov_base"));
    public static final long LEN = LAYOUT.byteOffset(PathElement.groupElement("iov_len"));
}
