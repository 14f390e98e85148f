package io.weft.bench.http;

import io.weft.bench.echo.ContenderUnavailableException;

/**
 * A running HTTP server on 127.0.0.1 that answers {@code GET /plaintext} with
 * {@code Hello, World!} (text/plain) and {@code GET /json} with
 * {@code {"message":"Hello, World!"}} (application/json), each with Server and Date
 * fields, keeping connections alive. Each contender writes it the way its documentation
 * teaches.
 */
interface BenchHttpServer extends AutoCloseable {

    static BenchHttpServer start(HttpContender c) throws Exception {
        return switch (c) {
            case WEFT_IO_URING -> WeftHttpServer.start("io_uring");
            case WEFT_EPOLL -> WeftHttpServer.start("epoll");
            case WEFT_NIO -> WeftHttpServer.start("nio");
            case NETTY_EPOLL -> NettyHttpServer.start(NettyHttpServer.Transport.EPOLL);
            case NETTY_IO_URING -> NettyHttpServer.start(NettyHttpServer.Transport.IO_URING);
            case HELIDON -> HelidonHttpServer.start();
            case JDK_HTTPSERVER -> JdkHttpServer.start();
        };
    }

    int port();

    /** What the results should record about how it runs. */
    String info();

    @Override
    void close() throws Exception;

    /** For servers whose runtime may be missing: wrap the reason. */
    static ContenderUnavailableException unavailable(String reason, Throwable cause) {
        return new ContenderUnavailableException(reason, cause);
    }
}
