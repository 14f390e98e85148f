package io.weft.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * {@code struct epoll_event}, whose size depends on the architecture: the kernel declares
 * it packed on x86-64 only.
 *
 * <pre>
 * x86-64 (packed, 12 bytes)          aarch64, riscv64 and others (16 bytes)
 *  0        4                 12      0        4        8                 16
 *  +--------+-----------------+       +--------+--------+-----------------+
 *  | events |      data       |       | events |  pad   |      data       |
 *  +--------+-----------------+       +--------+--------+-----------------+
 *    uint32   uint64, unaligned         uint32            uint64
 * </pre>
 *
 * <p>{@code data} is an opaque 64-bit token that epoll hands back with each event.
 */
public final class EpollEventLayout {
    private EpollEventLayout() {
    }

    private static final boolean PACKED = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> true;
        default -> false;
    };

    /** Bytes per entry. */
    public static final long SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    public static int events(MemorySegment array, int index) {
        return array.get(ValueLayout.JAVA_INT_UNALIGNED, index * SIZE);
    }

    public static long data(MemorySegment array, int index) {
        return array.get(ValueLayout.JAVA_LONG_UNALIGNED, index * SIZE + DATA_OFFSET);
    }

    public static void set(MemorySegment array, int index, int events, long data) {
        array.set(ValueLayout.JAVA_INT_UNALIGNED, index * SIZE, events);
        array.set(ValueLayout.JAVA_LONG_UNALIGNED, index * SIZE + DATA_OFFSET, data);
    }
}
