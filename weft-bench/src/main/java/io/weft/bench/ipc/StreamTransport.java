package io.weft.bench.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * {@code tcp-loopback} and {@code unix-socket}: one blocking JDK {@link SocketChannel}
 * each way. The responder echoes whatever bytes arrive (a byte stream needs no framing to
 * be echoed); the requester writes each request whole and reads each response whole.
 */
final class StreamTransport {
    private StreamTransport() {
    }

    static final String SOCKET_FILE = "ipc.sock";

    /** The responder: listens (TCP on 127.0.0.1, any port; or a socket file in {@code dir}), serves one connection. */
    static final class Server extends Responder {
        private final ServerSocketChannel listener;
        private final boolean tcp;
        private final Path socketFile;
        private volatile SocketChannel conn;

        Server(boolean tcp, Path dir) throws IOException {
            this.tcp = tcp;
            if (tcp) {
                socketFile = null;
                listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } else {
                socketFile = dir.resolve(SOCKET_FILE);
                listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                listener.bind(UnixDomainSocketAddress.of(socketFile));
            }
            start(tcp ? "tcp" : "unix");
        }

        @Override
        public int port() {
            return tcp ? ((InetSocketAddress) listenerAddress()).getPort() : 0;
        }

        private SocketAddress listenerAddress() {
            try {
                return listener.getLocalAddress();
            } catch (IOException e) {
                throw new IllegalStateException("the listener is closed", e);
            }
        }

        @Override
        void serve() throws IOException {
            SocketChannel c = listener.accept();
            conn = c;
            if (tcp) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
            while (running()) {
                if (c.read(b.clear()) < 0) {
                    return;
                }
                b.flip();
                while (b.hasRemaining()) {
                    c.write(b);
                }
            }
        }

        @Override
        void release() throws IOException {
            try (ServerSocketChannel l = listener) {
                SocketChannel c = conn;
                if (c != null) {
                    c.close();
                }
            } finally {
                if (socketFile != null) {
                    java.nio.file.Files.deleteIfExists(socketFile);
                }
            }
        }
    }

    /** The requester: connects to the responder's port (TCP) or socket file (Unix). */
    static final class Client implements IpcRequester {
        private final SocketChannel ch;
        private final ByteBuffer out;
        private final ByteBuffer in;

        Client(boolean tcp, Path dir, int port, int size) throws IOException {
            SocketAddress to = tcp ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
                    : UnixDomainSocketAddress.of(dir.resolve(SOCKET_FILE));
            ch = SocketChannel.open(to);
            if (tcp) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            out = ByteBuffer.allocateDirect(size).put(0, IpcRequester.template(size));
            in = ByteBuffer.allocateDirect(size);
        }

        @Override
        public void send(long seq) throws IOException {
            out.clear().putLong(0, seq);
            while (out.hasRemaining()) {
                ch.write(out);
            }
        }

        @Override
        public long receive() throws IOException {
            in.clear();
            while (in.hasRemaining()) {
                if (ch.read(in) < 0) {
                    throw new EOFException("the responder closed the connection");
                }
            }
            return in.getLong(0);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
