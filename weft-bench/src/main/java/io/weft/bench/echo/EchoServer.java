package io.weft.bench.echo;

/**
 * A running echo server on 127.0.0.1: every byte a client sends comes back to it, in
 * order. Each contender writes it the way its own documentation teaches: read into a
 * buffer, write the buffer back, TCP_NODELAY on every connection.
 */
interface EchoServer extends ChildServer {

    /** Starts the server for {@code c} on an ephemeral port. */
    static EchoServer start(Contender c) throws Exception {
        return switch (c) {
            case WEFT_IO_URING -> WeftEchoServer.start("io_uring");
            case WEFT_EPOLL -> WeftEchoServer.start("epoll");
            case WEFT_NIO -> WeftEchoServer.start("nio");
            case NETTY_EPOLL -> NettyEchoServer.start(NettyTransport.EPOLL);
            case NETTY_IO_URING -> NettyEchoServer.start(NettyTransport.IO_URING);
            case JDK_VIRTUAL_THREADS -> JdkEchoServer.start(true);
            case JDK_PLATFORM_THREADS -> JdkEchoServer.start(false);
        };
    }

    @Override
    void close() throws java.io.IOException;
}
