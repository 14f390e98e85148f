package io.weft.cli;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The bytes of one demo message: a pseudo-random pattern seeded by the connection and the
 * message's sequence number, so an echo that came back from the wrong message, the wrong
 * connection or the wrong offset does not match by accident.
 */
/*
 * The seed (connection << 32 | seq) is distinct for every message while seq < 2^32, and
 * SplitMix64's output function is a bijection, so in messages of 8 bytes or more the first
 * 8 bytes of two messages never agree; the rest follows from the same generator. Filling 8 bytes per step keeps the cost
 * of a 64 KiB message far below its round trip.
 */
public final class Payload {
    private Payload() {
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** Fills {@code buf} with the pattern of message {@code seq} on connection {@code connection}. */
    public static void fill(byte[] buf, int connection, long seq) {
        fill(buf, 0, buf.length, connection, seq);
    }

    /** Fills {@code buf[off..off+len)} with the pattern of message {@code seq} on connection {@code connection}. */
    public static void fill(byte[] buf, int off, int len, int connection, long seq) {
        long state = seed(connection, seq);
        int i = off;
        int end = off + len;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            state += GOLDEN_GAMMA;
            LONGS.set(buf, i, mix(state));
        }
        if (i < end) {
            state += GOLDEN_GAMMA;
            long tail = mix(state);
            for (; i < end; i++, tail >>>= 8) {
                buf[i] = (byte) tail;
            }
        }
    }

    /**
     * Compares {@code buf[off..off+len)} byte by byte with the pattern {@link #fill} writes for
     * message {@code seq} on connection {@code connection}, without allocating.
     *
     * @return the offset (from {@code off}) of the first byte that differs, or -1 if all match
     */
    public static int mismatch(byte[] buf, int off, int len, int connection, long seq) {
        long state = seed(connection, seq);
        for (int i = 0; i < len; ) {
            state += GOLDEN_GAMMA;
            long expected = mix(state);
            for (int b = 0; b < Long.BYTES && i < len; b++, i++, expected >>>= 8) {
                if (buf[off + i] != (byte) expected) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static long seed(int connection, long seq) {
        return ((long) connection << 32) ^ seq;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
