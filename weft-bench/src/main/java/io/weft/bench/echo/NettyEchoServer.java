package io.weft.bench.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;

import java.net.InetAddress;

/**
 * Netty 4.2's echo server, as in its examples: the inbound buffer is written back as is
 * and flushed when the read batch completes. One event loop accepts and serves.
 */
final class NettyEchoServer implements EchoServer {

    private final EventLoopGroup group;
    private final Channel server;
    private final NettyTransport transport;

    private NettyEchoServer(EventLoopGroup group, Channel server, NettyTransport transport) {
        this.group = group;
        this.server = server;
        this.transport = transport;
    }

    static EchoServer start(NettyTransport transport) throws Exception {
        NettyTransport.Selected selected = transport.select();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, selected.factory());
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(selected.channel())
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
        return NettyTransport.port(server);
    }

    @Override
    public String info() {
        return transport.describe("netty-transport");
    }

    @Override
    public void close() {
        NettyTransport.close(server, group);
    }
}
