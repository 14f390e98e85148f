package io.weft.internal.backend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * A TCP socket (stream or listener) as a backend made it. Every method here is a direct,
 * non-blocking call that any thread may make; waits go through {@link IoOp}s.
 */
public abstract class SocketHandle extends Handle {

    /** Binds; for a listener, also listens with {@code backlog}. */
    public abstract void bind(SocketAddress local, int backlog) throws IOException;

    public abstract <T> void setOption(SocketOption<T> option, T value) throws IOException;

    public abstract <T> T getOption(SocketOption<T> option) throws IOException;

    public abstract InetSocketAddress localAddress() throws IOException;

    /** The peer's address, or null if not connected. */
    public abstract InetSocketAddress remoteAddress() throws IOException;

    public abstract void shutdownOutput() throws IOException;

    public abstract void shutdownInput() throws IOException;
}
