package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.CmsgLayout;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    private final FdSocket socket;
    private final UnixAddress peer;

    private UnixStream(FdSocket socket, UnixAddress peer) {
        super(socket, peer, "UnixStream");
        this.socket = socket;
        this.peer = peer;
    }

    static UnixStream of(FdSocket socket) throws IOException {
        return new UnixStream(socket, UnixAddress.decode(socket.peerName()));
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
        return new UnixStream(NetIo.connect(loop, Capability.UNIX_SOCKETS, Libc.AF_UNIX, address.encode(), deadline.nanoTime(), address), address);
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
        FdSocket[] s = socketPair(NetIo.loop("UnixStream.pair"), Libc.SOCK_STREAM);
        return new Pair(new UnixStream(s[0], UnixAddress.unnamed()), new UnixStream(s[1], UnixAddress.unnamed()));
    }

    /** socketpair(AF_UNIX, type | SOCK_CLOEXEC), both ends adopted by the loop's backend (made non-blocking). */
    static FdSocket[] socketPair(EventLoop loop, int type) throws IOException {
        int[] fds;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pair = arena.allocate(ValueLayout.JAVA_INT, 2);
            int r = Libc.socketpair(Libc.newCallState(arena), Libc.AF_UNIX, type | Libc.SOCK_CLOEXEC, 0, pair);
            if (r < 0) {
                throw Errno.exception(r, "socketpair", "AF_UNIX");
            }
            fds = new int[] {pair.getAtIndex(ValueLayout.JAVA_INT, 0), pair.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
        FdSocket a = null;
        try {
            a = loop.provider().adoptSocket(Capability.UNIX_SOCKETS, fds[0], Libc.AF_UNIX);
            return new FdSocket[] {a, loop.provider().adoptSocket(Capability.UNIX_SOCKETS, fds[1], Libc.AF_UNIX)};
        } catch (IOException | RuntimeException e) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cs = Libc.newCallState(arena);
                if (a == null) {
                    Libc.close(cs, fds[0]);
                } else {
                    a.close();
                }
                Libc.close(cs, fds[1]);
            }
            throw e;
        }
    }

    /**
     * Makes a stream of a connected Unix stream socket descriptor, such as one received in
     * a {@link UnixMessage}; the stream takes ownership of it.
     *
     * @throws IOException if {@code fd} is not an AF_UNIX stream socket
     */
    public static UnixStream adopt(OwnedFd fd) throws IOException {
        EventLoop loop = NetIo.loop("UnixStream.adopt");
        checkSocket(fd, Libc.SOCK_STREAM);
        return of(fd.adoptSocket(loop.provider(), Capability.UNIX_SOCKETS));
    }

    static void checkSocket(OwnedFd fd, int type) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT, 2);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            for (int[] want : new int[][] {{Libc.SO_DOMAIN, Libc.AF_UNIX}, {Libc.SO_TYPE, type}}) {
                len.set(ValueLayout.JAVA_INT, 0, 4);
                int r = Libc.getsockopt(cs, fd.fd(), Libc.SOL_SOCKET, want[0], v, len);
                if (r < 0) {
                    throw Errno.exception(r, "getsockopt", fd + " (" + fd.describe() + ")");
                }
                if (v.get(ValueLayout.JAVA_INT, 0) != want[1]) {
                    throw new IOException(fd + " (" + fd.describe() + ") is not an AF_UNIX socket of type " + type);
                }
            }
        }
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
        return peerCredentials(socket);
    }

    static PeerCredentials peerCredentials(FdSocket socket) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(CmsgLayout.UCRED_SIZE, 4);
            socket.getRawOption(Libc.SOL_SOCKET, Libc.SO_PEERCRED, ucred);
            return new PeerCredentials(ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4),
                    ucred.get(ValueLayout.JAVA_INT, 8));
        }
    }

    /** This end's address (usually unnamed for a connecting client). */
    public UnixAddress localAddress() throws IOException {
        return UnixAddress.decode(socket.localName());
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
        long fd = socket.withFd(f -> {
            try (Arena arena = Arena.ofConfined()) {
                return Libc.fcntl(Libc.newCallState(arena), f, Libc.F_DUPFD_CLOEXEC, 0);
            }
        });
        if (fd < 0) {
            throw Errno.exception((int) fd, "fcntl(F_DUPFD_CLOEXEC)", this);
        }
        return OwnedFd.adopt((int) fd);
    }

    @Override
    public String toString() {
        return "UnixStream[" + peer + "]";
    }
}
