package io.weft.bench.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.weft.bench.echo.NettyTransport;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2 with HttpServerCodec, as Netty's own HelloWorld example and its TechEmpower
 * entry write it: the response is built from a shared body buffer, the Date value is
 * refreshed once a second by the event loop, and the channel is flushed when a read batch
 * completes, so pipelined responses share a write. One event loop accepts and serves.
 */
final class NettyHttpServer implements BenchHttpServer {

    private static final ByteBuf PLAINTEXT = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes("Hello, World!".getBytes(StandardCharsets.US_ASCII)));
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    private static final AsciiString SERVER = AsciiString.cached("netty");

    private final EventLoopGroup group;
    private final Channel server;
    private final NettyTransport transport;

    /** The Date value, replaced once a second by a task on the event loop; read by that loop only. */
    private static AsciiString date = now();

    private NettyHttpServer(EventLoopGroup group, Channel server, NettyTransport transport) {
        this.group = group;
        this.server = server;
        this.transport = transport;
    }

    private static AsciiString now() {
        return new AsciiString(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    }

    static BenchHttpServer start(NettyTransport transport) throws Exception {
        NettyTransport.Selected selected = transport.select();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, selected.factory());
        try {
            group.next().scheduleAtFixedRate(() -> date = now(), 1, 1, TimeUnit.SECONDS);
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(selected.channel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec()).addLast(new HelloHandler());
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            return new NettyHttpServer(group, server, transport);
        } catch (Exception | Error e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static final class HelloHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest req) {
                    FullHttpResponse res;
                    switch (req.uri()) {
                        case "/plaintext" -> res = response(PLAINTEXT.retainedDuplicate(), TEXT_PLAIN);
                        case "/json" -> res = response(Unpooled.wrappedBuffer(
                                "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII)), APPLICATION_JSON);
                        default -> res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                                Unpooled.EMPTY_BUFFER);
                    }
                    if (HttpUtil.isKeepAlive(req)) {
                        ctx.write(res, ctx.voidPromise());
                    } else {
                        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                        ctx.write(res).addListener(ChannelFutureListener.CLOSE);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static FullHttpResponse response(ByteBuf body, AsciiString type) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body, false);
            HttpHeaders h = res.headers();
            h.set(HttpHeaderNames.CONTENT_TYPE, type);
            h.set(HttpHeaderNames.SERVER, SERVER);
            h.set(HttpHeaderNames.DATE, date);
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return res;
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
        return transport.describe("netty-codec-http") + " HttpServerCodec";
    }

    @Override
    public void close() {
        NettyTransport.close(server, group);
    }
}
