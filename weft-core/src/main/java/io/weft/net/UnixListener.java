package io.weft.net;

import io.weft.Deadline;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
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
public final class UnixListener implements AutoCloseable, ListenerCore.Listener {

    private final SocketHandle socket;
    private final UnixAddress local;
    /** The socket file bind made, or null for an abstract name. */
    private final SocketFile file;
    private final ListenerCore<UnixStream> core;

    private UnixListener(SocketHandle socket, UnixAddress local, SocketFile file) {
        this.socket = socket;
        this.local = local;
        this.file = file;
        this.core = new ListenerCore<>("UnixListener", local, UnixStream::of, this);
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
        SocketHandle s = NetIo.openSocket(loop, Capability.UNIX_SOCKETS, SocketFamily.UNIX, false, true);
        try {
            s.bind(address.toName(), backlog);
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

    /**
     * Waits until {@code deadline} for a connection. Out of file descriptors, it backs off
     * and retries as {@link TcpListener#accept(Deadline)} does.
     */
    public UnixStream accept(Deadline deadline) throws IOException {
        return core.accept(socket, deadline);
    }

    /** How often accept has backed off for lack of file descriptors (for monitoring and tests). */
    public long fdLimitBackoffs() {
        return core.fdLimitBackoffs();
    }

    /** Handles one accepted connection, in the connection's own task. */
    @FunctionalInterface
    public interface ConnectionHandler {
        void handle(UnixStream connection) throws Exception;
    }

    /**
     * Accepts until the listener is closed, running {@code handler} in a new task per
     * connection; the tasks are spread over the loops of the calling task's runtime in turn
     * (as {@link TcpListener.Spread#HAND_OFF}). The connection is closed when the handler
     * returns; a handler's failure ends its task only. Returns once the listener is closed
     * (by another task, or by cancelling the caller). Once per listener; from a Weft task.
     *
     * @throws IOException if accepting fails for another reason than the listener being
     *                     closed; the listener is closed by then
     */
    public void serve(ConnectionHandler handler) throws IOException {
        core.serveHandOff(this::accept, handler::handle);
    }

    /** Tests only: see {@link ListenerCore#injectErrno}. */
    ListenerCore<UnixStream> core() {
        return core;
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

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public String toString() {
        return "UnixListener[" + local + "]";
    }
}
