package io.weft.net;

import io.weft.Deadline;
import io.weft.Weft;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.linux.Errno;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.time.Duration;

/**
 * A listening TCP socket. Accepting is a Weft wait: it parks the task, honours deadlines
 * and cancellation, and ends with {@link java.net.SocketException} when another task
 * closes the listener.
 *
 * <pre>{@code
 * try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
 *     while (true) {
 *         TcpStream conn = listener.accept();
 *         Weft.spawn(() -> handle(conn));
 *     }
 * }
 * }</pre>
 *
 * <p>When the process runs out of file descriptors (EMFILE, ENFILE), accept does not
 * spin: it logs once, backs off (10 ms doubling to 1 s) while the loop keeps serving the
 * connections it has, and tries again.
 */
public final class TcpListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.weft.net");

    static {
        // accept's EMFILE path needs these classes, and loading a class from a directory
        // on the class path needs a free descriptor: load them while there is one.
        Errno.name(Errno.EMFILE);
        Weft.isCancelled();
    }

    private final SocketHandle handle;
    private final InetSocketAddress local;
    private volatile boolean warnedFdLimit;
    private long fdLimitBackoffs;

    private TcpListener(SocketHandle handle, InetSocketAddress local) {
        this.handle = handle;
        this.local = local;
    }

    /** Binds with the defaults: backlog 1024, SO_REUSEADDR on. Port 0 picks an ephemeral port. */
    public static TcpListener bind(InetSocketAddress address) throws IOException {
        return builder().bind(address);
    }

    /** Binds to {@code host:port}. */
    public static TcpListener bind(String host, int port) throws IOException {
        return bind(new InetSocketAddress(host, port));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for a listener. */
    public static final class Builder {
        private int backlog = 1024;
        private boolean reuseAddress = true;
        private boolean reusePort;

        private Builder() {
        }

        /** The kernel's queue of connections not yet accepted (default 1024). */
        public Builder backlog(int n) {
            this.backlog = n;
            return this;
        }

        /** SO_REUSEADDR (default on): rebind while old connections are in TIME_WAIT. */
        public Builder reuseAddress(boolean on) {
            this.reuseAddress = on;
            return this;
        }

        /** SO_REUSEPORT (default off): several listeners share a port; the kernel spreads connections. */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        /** Opens, binds and listens. Must be called from a Weft task. */
        public TcpListener bind(InetSocketAddress address) throws IOException {
            EventLoop loop = NetIo.loop("TcpListener.bind");
            if (address.isUnresolved()) {
                throw new IOException("cannot bind to unresolved address " + address);
            }
            InetAddress ip = address.getAddress();
            SocketHandle h = loop.provider().openTcp(
                    ip instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET, true);
            try {
                h.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
                if (reusePort) {
                    h.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                h.bind(address, backlog);
                return new TcpListener(h, h.localAddress());
            } catch (IOException | RuntimeException e) {
                h.close();
                if (e instanceof java.net.BindException be) {
                    java.net.BindException named = new java.net.BindException(be.getMessage() + ": bind " + address);
                    named.initCause(be);
                    throw named;
                }
                throw e;
            }
        }
    }

    /** Waits for a connection. */
    public TcpStream accept() throws IOException {
        return accept(Deadline.NONE);
    }

    /**
     * Waits at most {@code timeout} for a connection.
     *
     * @throws java.net.SocketTimeoutException if none arrived in time
     */
    public TcpStream accept(Duration timeout) throws IOException {
        return accept(Deadline.after(timeout));
    }

    /** Waits until {@code deadline} for a connection. */
    public TcpStream accept(Deadline deadline) throws IOException {
        EventLoop loop = NetIo.loop("TcpListener.accept");
        Duration backoff = Duration.ofMillis(10);
        while (true) {
            NetOps.Accept op = new NetOps.Accept(handle);
            try {
                NetIo.run(loop, op, deadline.nanoTime(), "accept on", local);
                return new TcpStream((SocketHandle) op.attachment());
            } catch (IOException e) {
                int errno = op.isDone() && op.result() < 0 ? (int) -op.result() : 0;
                if (errno == Errno.ECONNABORTED) {
                    continue; // the peer gave up before we accepted it; wait for the next one
                }
                if (errno != Errno.EMFILE && errno != Errno.ENFILE && errno != Errno.ENOBUFS && errno != Errno.ENOMEM) {
                    throw e;
                }
                fdLimitBackoffs++;
                if (!warnedFdLimit) {
                    warnedFdLimit = true;
                    LOG.log(System.Logger.Level.WARNING, "accept on " + local + " hit " + Errno.name(errno)
                            + "; backing off and retrying (logged once per listener)");
                }
                Deadline wake = Deadline.after(backoff).min(deadline);
                Weft.sleep(wake);
                if (deadline.hasPassed()) {
                    throw new java.net.SocketTimeoutException("accept on " + local + " timed out (out of file descriptors: "
                            + Errno.name(errno) + ")");
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
            }
        }
    }

    /** How often accept has backed off for lack of file descriptors (for monitoring and tests). */
    public long fdLimitBackoffs() {
        return fdLimitBackoffs;
    }

    /** The bound address (with the actual port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Closes the listener; a task blocked in accept gets {@link java.net.SocketException}. */
    @Override
    public void close() throws IOException {
        handle.close();
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public String toString() {
        return "TcpListener[" + local + "]";
    }
}
