package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A Unix-domain datagram socket: messages keep their boundaries, each may carry open
 * file descriptors, and a receive says who sent it.
 *
 * <pre>{@code
 * try (UnixDatagram server = UnixDatagram.bind(UnixAddress.ofAbstract("metrics"));
 *      UnixDatagram client = UnixDatagram.unbound()) {
 *     client.send(ByteBuffer.wrap("cpu=3".getBytes()), server.localAddress());
 *     ByteBuffer buf = ByteBuffer.allocate(512);
 *     try (UnixMessage m = server.receive(buf, 0, Deadline.after(Duration.ofSeconds(1)))) {
 *         if (m.truncated()) log("dropped the tail of a " + m.datagramLength() + "-byte message");
 *     }
 * }
 * }</pre>
 *
 * <p>A datagram longer than the buffer is cut by the kernel; the receive reports it
 * ({@link UnixMessage#truncated()}, with the full length) instead of passing it off as
 * whole. Closing a socket bound to a path removes the socket file. Needs a backend with
 * {@code UNIX_SOCKETS} (io_uring, epoll).
 */
public final class UnixDatagram implements AutoCloseable {

    private final SocketHandle socket;
    private final UnixAddress local;
    private final SocketFile file;
    /**
     * The connected peer, or null: written by connect, read by any task for error
     * messages; volatile so a reader on another loop sees the latest connect.
     */
    private volatile UnixAddress peer;

    private UnixDatagram(SocketHandle socket, UnixAddress local, SocketFile file) {
        this.socket = socket;
        this.local = local;
        this.file = file;
    }

    /** A socket bound to {@code address} (a path or an abstract name). */
    public static UnixDatagram bind(UnixAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        EventLoop loop = NetIo.loop("UnixDatagram.bind");
        SocketHandle s = NetIo.openSocket(loop, Capability.UNIX_SOCKETS, SocketFamily.UNIX, true, false);
        try {
            s.bind(address.toName(), 0);
            return new UnixDatagram(s, address, SocketFile.of(address));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** An unbound socket: it can send, and receive replies only once connected or bound. */
    public static UnixDatagram unbound() throws IOException {
        EventLoop loop = NetIo.loop("UnixDatagram.unbound");
        return new UnixDatagram(NetIo.openSocket(loop, Capability.UNIX_SOCKETS, SocketFamily.UNIX, true, false),
                UnixAddress.unnamed(), null);
    }

    /** Two connected, unnamed datagram sockets (socketpair(AF_UNIX, SOCK_DGRAM)). */
    public record Pair(UnixDatagram first, UnixDatagram second) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (second) {
                first.close();
            }
        }
    }

    /** A connected pair of unnamed datagram sockets. */
    public static Pair pair() throws IOException {
        SocketHandle[] s = NetIo.loop("UnixDatagram.pair").provider().openPair(Capability.UNIX_SOCKETS, true);
        return new Pair(new UnixDatagram(s[0], UnixAddress.unnamed(), null), new UnixDatagram(s[1], UnixAddress.unnamed(), null));
    }

    /** Sends to {@code peer} by default and receives only from it. */
    public void connect(UnixAddress peer) throws IOException {
        EventLoop loop = NetIo.loop("UnixDatagram.connect");
        NetIo.run(loop, new NetOps.Connect(socket, peer.toName()), Deadline.NONE.nanoTime(), "connect to", peer);
        this.peer = peer;
    }

    /** Sends one datagram to the connected peer, with {@code fds}; returns its length. */
    public int send(ByteBuffer src, OwnedFd... fds) throws IOException {
        return send(src, null, Deadline.NONE, fds);
    }

    /** Sends one datagram to {@code target}, with {@code fds}; returns its length. */
    public int send(ByteBuffer src, UnixAddress target, OwnedFd... fds) throws IOException {
        return send(src, target, Deadline.NONE, fds);
    }

    /**
     * Sends one datagram, waiting until {@code deadline} for room in the receiver's queue;
     * advances {@code src} past it.
     *
     * @param target the receiver, or null for the connected peer
     */
    public int send(ByteBuffer src, UnixAddress target, Deadline deadline, OwnedFd... fds) throws IOException {
        EventLoop loop = NetIo.loop("UnixDatagram.send");
        Object to = target != null ? target : peer;
        int n = MsgIo.send(loop, socket, MemorySegment.ofBuffer(src), target == null ? null : target.toName(),
                MsgIo.numbers(fds), deadline.nanoTime(), "sendmsg to", to);
        src.position(src.position() + n);
        return n;
    }

    /** Receives one datagram and up to {@code maxFds} descriptors, waiting without limit. */
    public UnixMessage receive(ByteBuffer dst, int maxFds) throws IOException {
        return receive(dst, maxFds, Deadline.NONE);
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (advancing its position)
     * with up to {@code maxFds} descriptors, waiting until {@code deadline}.
     *
     * @throws java.net.SocketTimeoutException if nothing came in time
     * @throws IOException if control data was truncated (MSG_CTRUNC); what arrived was closed
     */
    public UnixMessage receive(ByteBuffer dst, int maxFds, Deadline deadline) throws IOException {
        MsgIo.checkReceive(dst, maxFds);
        EventLoop loop = NetIo.loop("UnixDatagram.receive");
        MsgIo.Received r = MsgIo.receive(loop, socket, MemorySegment.ofBuffer(dst), maxFds, true, false,
                deadline.nanoTime(), "recvmsg on", local);
        dst.position(dst.position() + r.length());
        return new UnixMessage(r.length(), r.fullLength(), r.fds(), r.discarded(), UnixAddress.fromName(r.from()));
    }

    /** The peer's credentials (SO_PEERCRED) on a connected or paired socket. */
    public PeerCredentials peerCredentials() throws IOException {
        return MsgIo.peerCredentials(socket);
    }

    /** The bound address, or {@link UnixAddress#unnamed()}. */
    public UnixAddress localAddress() {
        return local;
    }

    /** Closes the socket and removes the socket file it was bound to, if still its own. Idempotent. */
    @Override
    public void close() throws IOException {
        SocketFile.close(socket, file);
    }

    @Override
    public String toString() {
        return "UnixDatagram[" + local + "]";
    }
}
