package io.weft.bench.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's echo server, as in its examples: the inbound buffer is written back as is
 * and flushed when the read batch completes. One event loop accepts and serves.
 */
final class NettyEchoServer implements EchoServer {

    enum Transport { EPOLL, IO_URING }

    private final EventLoopGroup group;
    private final Channel server;
    private final Transport transport;

    private NettyEchoServer(EventLoopGroup group, Channel server, Transport transport) {
        this.group = group;
        this.server = server;
        this.transport = transport;
    }

    static EchoServer start(Transport transport) throws Exception {
        IoHandlerFactory factory;
        Class<? extends ServerChannel> channel;
        try {
            switch (transport) {
                case EPOLL -> {
                    if (!Epoll.isAvailable()) {
                        throw new ContenderUnavailableException("Netty's epoll transport is unavailable: "
                                + Epoll.unavailabilityCause(), Epoll.unavailabilityCause());
                    }
                    factory = EpollIoHandler.newFactory();
                    channel = EpollServerSocketChannel.class;
                }
                case IO_URING -> {
                    if (!IoUring.isAvailable()) {
                        throw new ContenderUnavailableException("Netty's io_uring transport is unavailable: "
                                + IoUring.unavailabilityCause(), IoUring.unavailabilityCause());
                    }
                    factory = IoUringIoHandler.newFactory();
                    channel = IoUringServerSocketChannel.class;
                }
                default -> throw new AssertionError(transport);
            }
        } catch (LinkageError e) {
            throw new ContenderUnavailableException("Netty's " + transport + " transport cannot load: " + e, e);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(channel)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(EchoHandler.INSTANCE);
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            return new NettyEchoServer(group, server, transport);
        } catch (Exception | Error e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            throw e;
        }
    }

    @ChannelHandler.Sharable
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public String info() {
        io.netty.util.Version v = io.netty.util.Version.identify().get("netty-transport");
        return "netty=" + (v == null ? "unknown" : v.artifactVersion()) + " transport=" + transport.name().toLowerCase(java.util.Locale.ROOT) + " eventLoops=1";
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
