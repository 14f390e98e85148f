package io.weft.bench.http;

import io.weft.bench.echo.ChildServer;
import io.weft.bench.echo.NettyTransport;

/**
 * A running HTTP server on 127.0.0.1 that answers {@code GET /plaintext} with
 * {@code Hello, World!} (text/plain) and {@code GET /json} with
 * {@code {"message":"Hello, World!"}} (application/json), each with Server and Date
 * fields, keeping connections alive. Each contender writes it the way its documentation
 * teaches.
 */
interface BenchHttpServer extends ChildServer {

    static BenchHttpServer start(HttpContender c) throws Exception {
        return switch (c) {
            case WEFT_IO_URING -> WeftHttpServer.start("io_uring");
            case WEFT_EPOLL -> WeftHttpServer.start("epoll");
            case WEFT_NIO -> WeftHttpServer.start("nio");
            case NETTY_EPOLL -> NettyHttpServer.start(NettyTransport.EPOLL);
            case NETTY_IO_URING -> NettyHttpServer.start(NettyTransport.IO_URING);
            case HELIDON -> HelidonHttpServer.start();
            case JDK_HTTPSERVER -> JdkHttpServer.start();
        };
    }

}
