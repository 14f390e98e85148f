package io.weft.cli.soak;

import io.weft.cli.Payload;

import java.nio.ByteBuffer;

/**
 * The soak's wire format, spoken by {@link SoakServer} and {@link SoakClient}: a 16-byte
 * header (payload length, connection id, sequence number; big-endian) followed by the
 * payload, whose bytes are {@link Payload}'s pattern for that connection and number.
 *
 * <pre>
 * offset 0   int   payload length, 0 .. MAX_PAYLOAD
 * offset 4   int   connection id (the client's, not a file descriptor)
 * offset 8   long  sequence number
 * offset 16  bytes payload
 * </pre>
 *
 * An echo is the whole frame sent back; an acknowledgement is the header alone with
 * length 0.
 */
final class Frame {
    private Frame() {
    }

    static final int HEADER = 16;
    /** The largest payload either side accepts; a larger announced length is a protocol error. */
    static final int MAX_PAYLOAD = 64 * 1024;

    /** Writes a header and the pattern payload of {@code len} bytes into {@code buf} from offset 0. */
    static void encode(byte[] buf, int len, int connection, long seq) {
        header(buf, len, connection, seq);
        Payload.fill(buf, HEADER, len, connection, seq);
    }

    /** Writes a header into {@code buf[0..HEADER)}. */
    static void header(byte[] buf, int len, int connection, long seq) {
        ByteBuffer.wrap(buf, 0, HEADER).putInt(len).putInt(connection).putLong(seq);
    }

    static int length(byte[] buf) {
        return ByteBuffer.wrap(buf).getInt(0);
    }

    static int connection(byte[] buf) {
        return ByteBuffer.wrap(buf).getInt(4);
    }

    static long seq(byte[] buf) {
        return ByteBuffer.wrap(buf).getLong(8);
    }

    /**
     * Checks a received frame (header and payload in {@code buf}) against what was expected.
     *
     * @param expectedLen the payload length, or -1 to accept the one in the header
     * @return null if it matches; otherwise what differs, for an error message
     */
    static String verify(byte[] buf, int expectedLen, int connection, long seq) {
        int len = length(buf);
        if (len < 0 || len > MAX_PAYLOAD || (expectedLen >= 0 && len != expectedLen)) {
            return "payload length " + len + (expectedLen >= 0 ? ", expected " + expectedLen : ", limit " + MAX_PAYLOAD);
        }
        if (connection(buf) != connection || seq(buf) != seq) {
            return "frame of connection " + connection(buf) + " #" + seq(buf) + ", expected connection " + connection + " #" + seq;
        }
        int at = Payload.mismatch(buf, HEADER, len, connection, seq);
        return at < 0 ? null : "payload byte " + at + " of " + len + " differs (connection " + connection + " #" + seq + ")";
    }
}
