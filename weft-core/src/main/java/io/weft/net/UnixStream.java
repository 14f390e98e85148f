package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A connected Unix-domain stream socket: a byte stream like {@link TcpStream}
 * ({@link SocketStream}'s reads and writes), plus open file descriptors passed alongside
 * the bytes (SCM_RIGHTS) and the peer's credentials (SO_PEERCRED).
 *
 * <pre>{@code
 * try (UnixStream s = UnixStream.connect(UnixAddress.of(Path.of("/run/app.sock")), Duration.ofSeconds(1));
 *      OwnedFd shm = OwnedFd.memfd("ring", 1 << 20)) {
 *     s.send(ByteBuffer.wrap("ring".getBytes()), shm);        // bytes and a descriptor, in one message
 *     try (UnixMessage reply = s.receive(ByteBuffer.allocate(64), 1)) {
 *         OwnedFd doorbell = reply.takeFd(0);                   // an eventfd from the server
 *     }
 * }
 * }</pre>
 *
 * <p>Descriptors ride on the first byte of the data they were sent with; a plain
 * {@link #read} that consumes that byte closes them (the kernel discards descriptors a
 * read has no room for), so a protocol that passes descriptors should receive with
 * {@link #receive}. Needs a backend with {@code FD_PASSING} (io_uring, epoll); on nio,
 * opening one fails with a message naming those backends.
 */
public final class UnixStream extends SocketStream {

    private final SocketHandle socket;
    private final UnixAddress peer;

    private UnixStream(SocketHandle socket, UnixAddress peer) {
        super(socket, peer, "UnixStream");
        this.socket = socket;
        this.peer = peer;
    }

    static UnixStream of(SocketHandle socket) throws IOException {
        return new UnixStream(socket, UnixAddress.fromName(socket.peerName()));
    }

    /** Connects to {@code address}, waiting without limit (a full backlog makes connect wait). */
    public static UnixStream connect(UnixAddress address) throws IOException {
        return connect(address, Deadline.NONE);
    }

    /** Connects to the socket file at {@code path}. */
    public static UnixStream connect(Path path) throws IOException {
        return connect(UnixAddress.of(path), Deadline.NONE);
    }

    /** Connects, waiting at most {@code timeout}. */
    public static UnixStream connect(UnixAddress address, Duration timeout) throws IOException {
        return connect(address, Deadline.after(timeout));
    }

    /**
     * Connects, waiting until {@code deadline}.
     *
     * @throws java.nio.file.NoSuchFileException nothing at that path (ENOENT)
     * @throws java.net.ConnectException         nobody listens there (ECONNREFUSED)
     */
    public static UnixStream connect(UnixAddress address, Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("UnixStream.connect");
        return new UnixStream(NetIo.connect(loop, Capability.UNIX_SOCKETS, SocketFamily.UNIX, address.toName(), deadline.nanoTime(), address), address);
    }

    /** Two connected streams (socketpair), for a parent and a child, or two tasks. */
    public record Pair(UnixStream first, UnixStream second) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (second) {
                first.close();
            }
        }
    }

    /** A pair of connected, unnamed streams (socketpair(AF_UNIX, SOCK_STREAM)). */
    public static Pair pair() throws IOException {
        SocketHandle[] s = NetIo.loop("UnixStream.pair").provider().openPair(Capability.UNIX_SOCKETS, false);
        return new Pair(new UnixStream(s[0], UnixAddress.unnamed()), new UnixStream(s[1], UnixAddress.unnamed()));
    }

    /**
     * Makes a stream of a connected Unix stream socket descriptor, such as one received in
     * a {@link UnixMessage}; the stream takes ownership of it.
     *
     * @throws IOException if {@code fd} is not an AF_UNIX stream socket
     */
    public static UnixStream adopt(OwnedFd fd) throws IOException {
        EventLoop loop = NetIo.loop("UnixStream.adopt");
        fd.checkUnixSocket(false);
        return of(fd.adoptSocket(loop.provider(), Capability.UNIX_SOCKETS));
    }

    // ---- messages with descriptors ------------------------------------------------------

    /**
     * Sends bytes from {@code src} with {@code fds} attached (one sendmsg); returns the count
     * sent and advances {@code src}. The descriptors are copied to the peer; these stay open.
     *
     * @throws IllegalArgumentException if descriptors are sent without a byte to carry them
     */
    public int send(ByteBuffer src, OwnedFd... fds) throws IOException {
        return send(src, writeDeadline(), fds);
    }

    /** Like {@link #send(ByteBuffer, OwnedFd...)}, waiting until {@code deadline}. */
    public int send(ByteBuffer src, Deadline deadline, OwnedFd... fds) throws IOException {
        if (fds.length > 0 && !src.hasRemaining()) {
            throw new IllegalArgumentException("descriptors need at least one byte of data to travel with on a stream");
        }
        EventLoop loop = NetIo.loop("UnixStream.send");
        int n = MsgIo.send(loop, socket, MemorySegment.ofBuffer(src), null, MsgIo.numbers(fds), deadline.nanoTime(), "sendmsg to", peer);
        src.position(src.position() + n);
        return n;
    }

    /** Sends all of {@code src}, the descriptors with its first part; advances {@code src}. */
    public void sendAll(ByteBuffer src, OwnedFd... fds) throws IOException {
        Deadline d = writeDeadline();
        send(src, d, fds);
        writeAll(src, d);
    }

    /**
     * Receives bytes into {@code dst}'s remaining space (advancing its position) and up to
     * {@code maxFds} descriptors; more are closed and counted in
     * {@link UnixMessage#discardedFds()}. At end of stream the message's length is -1.
     *
     * @throws IOException if the kernel truncated the control data (MSG_CTRUNC); any
     *                     descriptors that arrived were closed
     */
    public UnixMessage receive(ByteBuffer dst, int maxFds) throws IOException {
        return receive(dst, maxFds, readDeadline());
    }

    /** Like {@link #receive(ByteBuffer, int)}, waiting until {@code deadline}. */
    public UnixMessage receive(ByteBuffer dst, int maxFds, Deadline deadline) throws IOException {
        MsgIo.checkReceive(dst, maxFds);
        EventLoop loop = NetIo.loop("UnixStream.receive");
        boolean room = dst.hasRemaining();
        MsgIo.Received r = MsgIo.receive(loop, socket, MemorySegment.ofBuffer(dst), maxFds, false, false,
                deadline.nanoTime(), "recvmsg from", peer);
        dst.position(dst.position() + r.length());
        // 0 bytes into a buffer with room is end of stream; descriptors never come without a byte.
        int length = r.length() == 0 && room ? -1 : r.length();
        return new UnixMessage(length, length, r.fds(), r.discarded(), UnixAddress.unnamed());
    }

    // ---- credentials and addresses -------------------------------------------------------

    /** The peer's pid, uid and gid as the kernel recorded them at connect time (SO_PEERCRED). */
    public PeerCredentials peerCredentials() throws IOException {
        return MsgIo.peerCredentials(socket);
    }

    /** This end's address (usually unnamed for a connecting client). */
    public UnixAddress localAddress() throws IOException {
        return UnixAddress.fromName(socket.localName());
    }

    /** The peer's address: the listener's for a client, usually unnamed for an accepted stream. */
    public UnixAddress remoteAddress() {
        return peer;
    }

    /**
     * A new descriptor for this socket, owned by the caller: to pass the connection itself
     * to another process, which makes a stream of it with {@link #adopt(OwnedFd)}.
     */
    public OwnedFd duplicateFd() throws IOException {
        return OwnedFd.duplicateOf(socket, this);
    }

    @Override
    public String toString() {
        return "UnixStream[" + peer + "]";
    }
}
