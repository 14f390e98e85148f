package io.weft.bench.echo;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/** Netty's native transports as the harnesses use them: one I/O handler factory and server channel each, or why not here. */
public enum NettyTransport {
    EPOLL, IO_URING;

    /** The factory and server channel class of a transport that can run here. */
    public record Selected(IoHandlerFactory factory, Class<? extends ServerChannel> channel) {
    }

    /** @throws ContenderUnavailableException with Netty's reason when the transport cannot run here */
    public Selected select() throws ContenderUnavailableException {
        try {
            return switch (this) {
                case EPOLL -> {
                    if (!Epoll.isAvailable()) {
                        throw new ContenderUnavailableException("Netty's epoll transport is unavailable: "
                                + Epoll.unavailabilityCause(), Epoll.unavailabilityCause());
                    }
                    yield new Selected(EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
                }
                case IO_URING -> {
                    if (!IoUring.isAvailable()) {
                        throw new ContenderUnavailableException("Netty's io_uring transport is unavailable: "
                                + IoUring.unavailabilityCause(), IoUring.unavailabilityCause());
                    }
                    yield new Selected(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
                }
            };
        } catch (LinkageError e) {
            throw new ContenderUnavailableException("Netty's " + this + " transport cannot load: " + e, e);
        }
    }

    /** The port a bound server channel listens on. */
    public static int port(io.netty.channel.Channel server) {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** For results: Netty's version (of {@code artifact}), this transport and one event loop. */
    public String describe(String artifact) {
        io.netty.util.Version v = io.netty.util.Version.identify().get(artifact);
        return "netty=" + (v == null ? "unknown" : v.artifactVersion()) + " transport=" + label() + " eventLoops=1";
    }

    /** Closes the server channel, then its event loop group (at most 2 s of quiet period). */
    public static void close(io.netty.channel.Channel server, io.netty.channel.EventLoopGroup group) {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** {@code epoll} or {@code io_uring}, for results. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
