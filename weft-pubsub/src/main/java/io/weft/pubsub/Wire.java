package io.weft.pubsub;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The messages between clients and the server on the Unix socket. Each frame is a 4-byte
 * length (of what follows), the protocol version, then an operation (requests) or a
 * status (replies), then the operation's fields. Descriptors (channel memory) ride on a
 * reply's first byte. A client has one request in flight at a time, so each reply's
 * descriptors belong to it alone.
 */
final class Wire {

    /** Version of the frames; a peer with another one is refused with a message saying both. */
    static final int PROTOCOL_VERSION = 1;
    static final int MAX_FRAME = 64 * 1024;
    static final int MAX_STRING = 1024;
    /** At most this many descriptors in one reply: the control memory and the buffers. */
    static final int MAX_FDS = 1 + ChannelLayout.MAX_BUFFERS;

    static final int OP_PUBLISHER = 1;
    static final int OP_SUBSCRIBER = 2;
    static final int OP_CLOSE_PUBLISHER = 3;
    static final int OP_CLOSE_SUBSCRIBER = 4;
    static final int OP_BUFFERS = 5;
    static final int OP_LIST = 6;

    static final int OK = 0;
    static final int REFUSED = 1;

    private Wire() {
    }

    /** A frame being written: the length is filled in by {@link #finish}. */
    static ByteBuffer start(int opOrStatus) {
        return ByteBuffer.allocate(MAX_FRAME).putInt(0).putInt(PROTOCOL_VERSION).putInt(opOrStatus);
    }

    static ByteBuffer finish(ByteBuffer b) {
        b.putInt(0, b.position() - 4);
        return b.flip();
    }

    static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING) {
            throw new IllegalArgumentException("longer than " + MAX_STRING + " bytes: " + s.substring(0, 40) + "...");
        }
        b.putInt(bytes.length).put(bytes);
    }

    /** A string field; a length out of range is a {@link ProtocolException}. */
    static String getString(ByteBuffer b) throws ProtocolException {
        int n = getInt(b);
        if (n < 0 || n > MAX_STRING || n > b.remaining()) {
            throw new ProtocolException("a string field of length " + n + " (at most " + MAX_STRING + " bytes, " + b.remaining() + " left in the frame)");
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static int getInt(ByteBuffer b) throws ProtocolException {
        try {
            return b.getInt();
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("a frame ended in the middle of its fields");
        }
    }

    static long getLong(ByteBuffer b) throws ProtocolException {
        try {
            return b.getLong();
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("a frame ended in the middle of its fields");
        }
    }

    /** A frame broke the protocol: its sender loses the connection. */
    static final class ProtocolException extends PubSubException {
        ProtocolException(String message) {
            super(message);
        }
    }
}
