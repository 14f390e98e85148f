package io.weft.internal.backend;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * A TCP socket (stream or listener) as a backend made it. Every method here is a direct,
 * non-blocking call that any thread may make; waits go through {@link IoOp}s.
 */
public abstract class SocketHandle extends Handle {

    private static final VarHandle ACCEPT_LOOP;
    static {
        try {
            ACCEPT_LOOP = MethodHandles.lookup().findVarHandle(SocketHandle.class, "acceptLoop", LoopContext.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See {@link #acceptLoop(LoopContext)}; set once. */
    @SuppressWarnings("unused")
    private volatile LoopContext acceptLoop;

    /**
     * The loop that takes this listener's accepts: the first one offered here. A backend
     * may keep per-listener state in its loop (io_uring's multishot accept queues the
     * connections the kernel took ahead of demand there), so a task that accepts and has
     * moved to another loop must still accept on this one, or connections would wait in a
     * queue nobody reads. Any thread.
     */
    public final LoopContext acceptLoop(LoopContext candidate) {
        LoopContext l = acceptLoop;
        if (l == null) {
            l = ACCEPT_LOOP.compareAndSet(this, null, candidate) ? candidate : acceptLoop;
        }
        return l;
    }

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
