package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.time.Duration;

/**
 * A TCP connection, read and written in blocking style from Weft tasks.
 *
 * <pre>{@code
 * try (TcpStream s = TcpStream.connect(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(1))) {
 *     s.writeAll("ping".getBytes());
 *     byte[] reply = new byte[4];
 *     s.readFully(reply, Deadline.after(Duration.ofSeconds(1)));
 * }
 * }</pre>
 *
 * <p>Reading, writing, timeouts, cancellation and closing are {@link SocketStream}'s;
 * this class adds connecting, TCP options and addresses.
 */
public final class TcpStream extends SocketStream {

    private final InetSocketAddress remote;

    TcpStream(SocketHandle handle) throws IOException {
        this(handle, handle.remoteAddress());
    }

    private TcpStream(SocketHandle handle, InetSocketAddress remote) {
        super(handle, remote, "TcpStream");
        this.remote = remote;
    }

    // ---- connecting ---------------------------------------------------------------------

    /** Connects to {@code remote}; an unresolved address is resolved on the blocking pool. */
    public static TcpStream connect(InetSocketAddress remote) throws IOException {
        return connect(remote, Deadline.NONE);
    }

    /** Connects, waiting at most {@code timeout}. */
    public static TcpStream connect(InetSocketAddress remote, Duration timeout) throws IOException {
        return connect(remote, Deadline.after(timeout));
    }

    /** Connects to {@code host:port}. */
    public static TcpStream connect(String host, int port) throws IOException {
        return connect(InetSocketAddress.createUnresolved(host, port), Deadline.NONE);
    }

    /**
     * Connects, waiting until {@code deadline}.
     *
     * @throws java.net.ConnectException      the peer refused ("Connection refused (ECONNREFUSED): connect to ...")
     * @throws java.net.SocketTimeoutException the deadline passed first
     */
    public static TcpStream connect(InetSocketAddress remote, Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("TcpStream.connect");
        InetSocketAddress target = remote.isUnresolved()
                ? new InetSocketAddress(Resolver.system().resolve(remote.getHostString(), deadline).getFirst(), remote.getPort())
                : remote;
        InetAddress ip = target.getAddress();
        SocketHandle h = loop.provider().openTcp(
                ip instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET, false);
        try {
            NetIo.run(loop, new NetOps.Connect(h, target), deadline.nanoTime(), "connect to", target);
            return new TcpStream(h);
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /** TCP_NODELAY: send small writes at once instead of coalescing them (Nagle). */
    public void setNoDelay(boolean on) throws IOException {
        handle.setOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    /** SO_KEEPALIVE: probe an idle connection so a vanished peer is noticed. */
    public void setKeepAlive(boolean on) throws IOException {
        handle.setOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    /** SO_RCVBUF, a hint to the kernel. */
    public void setReceiveBufferSize(int bytes) throws IOException {
        handle.setOption(StandardSocketOptions.SO_RCVBUF, bytes);
    }

    /** SO_SNDBUF, a hint to the kernel. */
    public void setSendBufferSize(int bytes) throws IOException {
        handle.setOption(StandardSocketOptions.SO_SNDBUF, bytes);
    }

    /** Sets any standard socket option. */
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        handle.setOption(option, value);
    }

    /** Reads any standard socket option. */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return handle.getOption(option);
    }

    public InetSocketAddress localAddress() throws IOException {
        return handle.localAddress();
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "TcpStream[" + remote + "]";
    }
}
