package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.time.Duration;

/**
 * A connected AF_VSOCK stream between a virtual machine and its host (or, with the
 * vsock loopback transport, within one machine): reads and writes are
 * {@link SocketStream}'s.
 *
 * <pre>{@code
 * try (VsockStream s = VsockStream.connect(new VsockAddress(VsockAddress.CID_HOST, 9000), Duration.ofSeconds(2))) {
 *     s.writeAll("hello host".getBytes());
 * }
 * }</pre>
 *
 * <p>Needs a backend with the {@code VSOCK} capability (io_uring, epoll), and a vsock
 * transport in the kernel: without one, connect fails with ENODEV, EAFNOSUPPORT or
 * EADDRNOTAVAIL in the message.
 */
public final class VsockStream extends SocketStream {

    private final SocketHandle socket;
    private final VsockAddress peer;

    private VsockStream(SocketHandle socket, VsockAddress peer) {
        super(socket, peer, "VsockStream");
        this.socket = socket;
        this.peer = peer;
    }

    static VsockStream of(SocketHandle socket) throws IOException {
        return new VsockStream(socket, VsockAddress.fromName(socket.peerName()));
    }

    public static VsockStream connect(VsockAddress address) throws IOException {
        return connect(address, Deadline.NONE);
    }

    public static VsockStream connect(VsockAddress address, Duration timeout) throws IOException {
        return connect(address, Deadline.after(timeout));
    }

    /** Connects, waiting until {@code deadline}. */
    public static VsockStream connect(VsockAddress address, Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("VsockStream.connect");
        return new VsockStream(NetIo.connect(loop, Capability.VSOCK, SocketFamily.VSOCK, address.toName(), deadline.nanoTime(), address), address);
    }

    /** This end's cid and port. */
    public VsockAddress localAddress() throws IOException {
        return VsockAddress.fromName(socket.localName());
    }

    public VsockAddress remoteAddress() {
        return peer;
    }

    @Override
    public String toString() {
        return "VsockStream[" + peer + "]";
    }
}
