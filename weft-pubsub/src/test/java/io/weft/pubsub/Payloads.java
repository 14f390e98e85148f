package io.weft.pubsub;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** Test messages of random sizes that carry their index and a checksum of their bytes. */
final class Payloads {

    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private Payloads() {
    }

    /** Writes message {@code index} (8 to {@code maxLength} bytes) into {@code seg}; returns its length. */
    static int fill(MemorySegment seg, int index, SplittableRandom random, int maxLength) {
        int length = 8 + random.nextInt(maxLength - 7);
        seg.set(INT, 0, index);
        long x = random.nextLong();
        for (int i = 8; i < length; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) (x >>> ((i & 7) * 8) ^ i));
        }
        seg.set(INT, 4, crc(seg, length));
        return length;
    }

    /** The message's index, or -1 if its checksum does not match. */
    static int check(MemorySegment seg) {
        long length = seg.byteSize();
        if (length < 8) {
            return -1;
        }
        return seg.get(INT, 4) == crc(seg, length) ? seg.get(INT, 0) : -1;
    }

    private static int crc(MemorySegment seg, long length) {
        CRC32C c = new CRC32C();
        c.update(seg.asSlice(8, length - 8).asByteBuffer());
        return (int) c.getValue();
    }
}
