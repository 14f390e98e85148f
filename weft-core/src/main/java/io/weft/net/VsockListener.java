package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.Libc;
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
public final class VsockListener implements AutoCloseable {

    private final FdSocket socket;
    private final VsockAddress local;

    private VsockListener(FdSocket socket, VsockAddress local) {
        this.socket = socket;
        this.local = local;
    }

    /** Binds and listens (backlog 128); port {@link VsockAddress#PORT_ANY} picks a free one. */
    public static VsockListener bind(VsockAddress address) throws IOException {
        EventLoop loop = NetIo.loop("VsockListener.bind");
        FdSocket s = NetIo.openSocket(loop, Capability.VSOCK, Libc.AF_VSOCK, Libc.SOCK_STREAM, true);
        try {
            s.bind(address.encode(), 128);
            VsockAddress bound = VsockAddress.decode(s.localName());
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

    /** Waits until {@code deadline} for a connection. */
    public VsockStream accept(Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("VsockListener.accept");
        return VsockStream.of(NetIo.accept(loop, socket, deadline.nanoTime(), local));
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
    public String toString() {
        return "VsockListener[" + local + "]";
    }
}
