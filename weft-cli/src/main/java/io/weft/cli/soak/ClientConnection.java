package io.weft.cli.soak;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * One client connection of the soak client: a blocking {@link Socket} (the client runs
 * each connection on a virtual thread of the JDK's own scheduler, so it shares nothing
 * with the Weft server it tests), with a buffer for whole frames.
 */
final class ClientConnection implements Closeable {

    /** How long a connect may take; a loopback connect that takes longer is an error. */
    static final int CONNECT_TIMEOUT_MILLIS = 15_000;

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private byte[] sendBuf = new byte[Frame.HEADER];
    private byte[] receiveBuf = new byte[Frame.HEADER];

    private ClientConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; reads wait at most {@code readTimeoutMillis}. */
    static ClientConnection open(int port, int readTimeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
            s.setSoTimeout(readTimeoutMillis);
            return new ClientConnection(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The frame {@code seq} of {@code connection} with a {@code len}-byte payload, in a buffer this connection reuses. */
    byte[] frame(int len, int connection, long seq) {
        if (sendBuf.length < Frame.HEADER + len) {
            sendBuf = new byte[Frame.HEADER + len];
        }
        Frame.encode(sendBuf, len, connection, seq);
        return sendBuf;
    }

    /** Sends frame {@code seq} whole. */
    void send(int len, int connection, long seq) throws IOException {
        out.write(frame(len, connection, seq), 0, Frame.HEADER + len);
    }

    /** Sends {@code b[off..off+n)}: part of a frame, for the stalls and resets. */
    void sendRaw(byte[] b, int off, int n) throws IOException {
        out.write(b, off, n);
    }

    /**
     * Reads one frame of {@code len} payload bytes and checks it byte by byte against frame
     * {@code seq} of {@code connection}.
     *
     * @return null if it matches, else what differs
     * @throws java.io.EOFException if the server closed first
     */
    String receive(int len, int connection, long seq) throws IOException {
        if (receiveBuf.length < Frame.HEADER + len) {
            receiveBuf = new byte[Frame.HEADER + len];
        }
        in.readFully(receiveBuf, 0, Frame.HEADER);
        int announced = Frame.length(receiveBuf);
        if (announced != len) {
            return "reply announces " + announced + " payload bytes, expected " + len + " (connection " + connection + " #" + seq + ")";
        }
        in.readFully(receiveBuf, Frame.HEADER, len);
        return Frame.verify(receiveBuf, len, connection, seq);
    }

    /** Sends frame {@code seq} and checks its echo; null if it matched. */
    String exchange(int len, int connection, long seq) throws IOException {
        send(len, connection, seq);
        return receive(len, connection, seq);
    }

    /** One byte read: -1 at the end of the stream. */
    int read() throws IOException {
        return in.read();
    }

    /** Aborts the connection: SO_LINGER 0, then close, so the kernel sends RST instead of FIN. */
    void reset() throws IOException {
        try {
            socket.setSoLinger(true, 0);
        } finally {
            socket.close();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
