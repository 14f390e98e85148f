package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.time.Duration;

/**
 * A listening AF_VSOCK stream socket, addressed by context id and port.
 *
 * <pre>{@code
 * try (VsockListener l = VsockListener.bind(new VsockAddress(VsockAddress.CID_ANY, 9000))) {
 *     VsockStream conn = l.accept(Duration.ofSeconds(30));
 *     Weft.spawn(() -> serve(conn));
 * }
 * }</pre>
 *
 * <p>Binding fails with EADDRNOTAVAIL in the message when the kernel has no transport for
 * the cid (for {@link VsockAddress#CID_LOCAL}: the vsock_loopback module is not loaded).
 */
public final class VsockListener implements AutoCloseable, ListenerCore.Listener {

    private final SocketHandle socket;
    private final VsockAddress local;
    private final ListenerCore<VsockStream> core;

    private VsockListener(SocketHandle socket, VsockAddress local) {
        this.socket = socket;
        this.local = local;
        this.core = new ListenerCore<>("VsockListener", local, VsockStream::of, this);
    }

    /** Binds and listens (backlog 128); port {@link VsockAddress#PORT_ANY} picks a free one. */
    public static VsockListener bind(VsockAddress address) throws IOException {
        EventLoop loop = NetIo.loop("VsockListener.bind");
        SocketHandle s = NetIo.openSocket(loop, Capability.VSOCK, SocketFamily.VSOCK, false, true);
        try {
            s.bind(address.toName(), 128);
            VsockAddress bound = VsockAddress.fromName(s.localName());
            return new VsockListener(s, bound != null ? bound : address);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public VsockStream accept() throws IOException {
        return accept(Deadline.NONE);
    }

    public VsockStream accept(Duration timeout) throws IOException {
        return accept(Deadline.after(timeout));
    }

    /**
     * Waits until {@code deadline} for a connection. Out of file descriptors, it backs off
     * and retries as {@link TcpListener#accept(Deadline)} does.
     */
    public VsockStream accept(Deadline deadline) throws IOException {
        return core.accept(socket, deadline);
    }

    /** How often accept has backed off for lack of file descriptors (for monitoring and tests). */
    public long fdLimitBackoffs() {
        return core.fdLimitBackoffs();
    }

    /** Handles one accepted connection, in the connection's own task. */
    @FunctionalInterface
    public interface ConnectionHandler {
        void handle(VsockStream connection) throws Exception;
    }

    /**
     * Accepts until the listener is closed, running {@code handler} in a new task per
     * connection, spread over the loops in turn; see {@link UnixListener#serve}. Once per
     * listener; from a Weft task.
     *
     * @throws IOException if accepting fails for another reason than the listener being
     *                     closed; the listener is closed by then
     */
    public void serve(ConnectionHandler handler) throws IOException {
        core.serveHandOff(this::accept, handler::handle);
    }

    /** The bound address, with the port the kernel picked. */
    public VsockAddress localAddress() {
        return local;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public String toString() {
        return "VsockListener[" + local + "]";
    }
}
