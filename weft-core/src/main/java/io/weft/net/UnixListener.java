package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.Libc;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A listening Unix-domain stream socket, bound to a filesystem path or an abstract name.
 * Accepting is a Weft wait, like {@link TcpListener}'s.
 *
 * <pre>{@code
 * try (UnixListener l = UnixListener.bind(UnixAddress.of(Path.of("/run/app.sock")))) {
 *     while (true) {
 *         UnixStream conn = l.accept();
 *         if (conn.peerCredentials().uid() != myUid) { conn.close(); continue; }
 *         Weft.spawn(() -> serve(conn));
 *     }
 * }   // the socket file is removed here
 * }</pre>
 *
 * <p>Closing the listener removes the socket file it created, unless the file was
 * replaced meanwhile (another listener bound the same path after unlinking it). Binding to
 * a path where a file exists fails with {@link java.net.BindException} (EADDRINUSE); a
 * stale file from a crashed process must be removed first.
 */
public final class UnixListener implements AutoCloseable {

    private final FdSocket socket;
    private final UnixAddress local;
    /** The socket file bind made, or null for an abstract name. */
    private final SocketFile file;

    private UnixListener(FdSocket socket, UnixAddress local, SocketFile file) {
        this.socket = socket;
        this.local = local;
        this.file = file;
    }

    /** Binds to the socket file {@code path} with backlog 128. */
    public static UnixListener bind(Path path) throws IOException {
        return bind(UnixAddress.of(path), 128);
    }

    /** Binds to {@code address} with backlog 128. */
    public static UnixListener bind(UnixAddress address) throws IOException {
        return bind(address, 128);
    }

    /** Binds and listens with {@code backlog}. Must be called from a Weft task. */
    public static UnixListener bind(UnixAddress address, int backlog) throws IOException {
        Objects.requireNonNull(address, "address");
        EventLoop loop = NetIo.loop("UnixListener.bind");
        FdSocket s = NetIo.openSocket(loop, Capability.UNIX_SOCKETS, Libc.AF_UNIX, Libc.SOCK_STREAM, true);
        try {
            s.bind(address.encode(), backlog);
            return new UnixListener(s, address, SocketFile.of(address));
        } catch (java.net.BindException e) {
            s.close();
            java.net.BindException named = new java.net.BindException(e.getMessage() + ": bind " + address);
            named.initCause(e);
            throw named;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Waits for a connection. */
    public UnixStream accept() throws IOException {
        return accept(Deadline.NONE);
    }

    /** Waits at most {@code timeout}. @throws java.net.SocketTimeoutException if none came */
    public UnixStream accept(Duration timeout) throws IOException {
        return accept(Deadline.after(timeout));
    }

    /** Waits until {@code deadline} for a connection. */
    public UnixStream accept(Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("UnixListener.accept");
        return UnixStream.of(NetIo.accept(loop, socket, deadline.nanoTime(), local));
    }

    public UnixAddress localAddress() {
        return local;
    }

    /**
     * Closes the listener (a task in accept gets {@link java.net.SocketException}) and
     * removes its socket file if it is still the one this listener created. Idempotent.
     */
    @Override
    public void close() throws IOException {
        SocketFile.close(socket, file);
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public String toString() {
        return "UnixListener[" + local + "]";
    }
}
