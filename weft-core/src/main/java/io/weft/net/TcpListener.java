package io.weft.net;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Task;
import io.weft.ThrowingRunnable;
import io.weft.Weft;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
 * <p>{@link #serve} spreads connections over every loop of the runtime, as the builder's
 * {@link Spread} says: one SO_REUSEPORT socket per loop, or one socket whose connections
 * are handed to the loops in turn.
 *
 * <pre>{@code
 * try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
 *     listener.serve(conn -> handle(conn));   // until the listener is closed
 * }
 * }</pre>
 *
 * <p>When the process runs out of file descriptors (EMFILE, ENFILE), accept does not
 * spin: it logs once, backs off (10 ms doubling to 1 s) while the loop keeps serving the
 * connections it has, and tries again.
 */
public final class TcpListener implements AutoCloseable, ListenerCore.Listener {

    private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());

    /**
     * How {@link #serve} and {@link #runAcceptors} spread connections over a runtime's loops.
     * Either way a connection's task starts on, and stays on, one loop; with one loop
     * there is nothing to spread and both accept on it.
     */
    public enum Spread {
        /**
         * One listening socket per loop, all bound to the same port with SO_REUSEPORT, each
         * accepted on its own loop; the kernel picks a socket for each connection by a hash
         * of its addresses, and the connection's task starts on the loop that accepted it.
         * No connection crosses a core on its way in. The sockets beyond the first are
         * opened when serving starts; the first has SO_REUSEPORT from the bind, so another
         * socket of the same user may join the port (the kernel allows no other user).
         */
        REUSE_PORT,
        /**
         * One socket, accepted on one loop; each connection's task starts on the next loop
         * in turn. Spreads exactly evenly, and the port is shared with nobody; every
         * connection crosses to another loop once.
         */
        HAND_OFF
    }

    private final SocketHandle handle;
    private final InetSocketAddress local;
    private final Spread spread;
    private final int backlog;
    private final boolean reuseAddress;
    private final ListenerCore<TcpStream> core;
    /** Guards {@link #siblings} and {@link #closed}, so close never misses a socket being opened. */
    private final Object lock = new Object();
    /** The per-loop sockets beyond {@link #handle} (REUSE_PORT while serving). */
    private final List<SocketHandle> siblings = new ArrayList<>();
    private boolean closed;

    private TcpListener(SocketHandle handle, InetSocketAddress local, Builder b) {
        this.handle = handle;
        this.local = local;
        this.spread = b.spread;
        this.backlog = b.backlog;
        this.reuseAddress = b.reuseAddress;
        this.core = new ListenerCore<>("TcpListener", local, TcpStream::new, this);
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
        private Spread spread = Spread.HAND_OFF;

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

        /**
         * How {@link TcpListener#serve} spreads connections over the loops (default
         * {@link Spread#HAND_OFF}, which keeps the port to this listener).
         * {@link Spread#REUSE_PORT} turns SO_REUSEPORT on for the bound socket.
         */
        public Builder spread(Spread spread) {
            this.spread = java.util.Objects.requireNonNull(spread, "spread");
            return this;
        }

        /** Opens, binds and listens. Must be called from a Weft task. */
        public TcpListener bind(InetSocketAddress address) throws IOException {
            EventLoop loop = NetIo.loop("TcpListener.bind");
            if (address.isUnresolved()) {
                throw new IOException("cannot bind to unresolved address " + address);
            }
            SocketHandle h = open(loop, address, reuseAddress, reusePort || spread == Spread.REUSE_PORT, backlog);
            try {
                return new TcpListener(h, h.localAddress(), this);
            } catch (IOException | RuntimeException e) {
                h.close();
                throw e;
            }
        }
    }

    /** Opens a listening socket on {@code loop}'s backend bound to {@code address}; closes it on failure. */
    private static SocketHandle open(EventLoop loop, InetSocketAddress address, boolean reuseAddress, boolean reusePort,
                                     int backlog) throws IOException {
        InetAddress ip = address.getAddress();
        SocketHandle h = loop.provider().openTcp(
                ip instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET, true);
        try {
            h.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
            if (reusePort) {
                h.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            h.bind(address, backlog);
            return h;
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
        return accept(handle, deadline);
    }

    private TcpStream accept(SocketHandle socket, Deadline deadline) throws IOException {
        return core.accept(socket, deadline);
    }

    /** How often accept has backed off for lack of file descriptors (for monitoring and tests). */
    public long fdLimitBackoffs() {
        return core.fdLimitBackoffs();
    }

    /** How {@link #serve} spreads connections over the loops. */
    public Spread spread() {
        return spread;
    }

    /** Handles one accepted connection, in the connection's own task. */
    @FunctionalInterface
    public interface ConnectionHandler {
        void handle(TcpStream connection) throws Exception;
    }

    /** What {@link #runAcceptors} runs on each accepting loop. */
    @FunctionalInterface
    public interface AcceptLoop {
        void run(Acceptor acceptor) throws Exception;
    }

    /**
     * Accepts until the listener is closed, running {@code handler} in a new task per
     * connection, spread over every loop of the calling task's runtime as {@link #spread()}
     * says. The connection is closed when the handler returns; a handler's failure ends
     * its task only. Returns once the listener is closed (by another task, or by
     * cancelling the caller); must be called from a Weft task.
     *
     * @throws IOException if accepting fails for another reason than the listener being
     *                     closed; the listener is closed by then
     */
    public void serve(ConnectionHandler handler) throws IOException {
        runAcceptors(acceptor -> core.serveLoop(acceptor::accept, acceptor.starter, handler::handle));
    }

    /**
     * Runs {@code body} once per accepting loop, in a task on that loop, and waits until
     * every run has ended: with {@link Spread#REUSE_PORT} one per loop, each with its own
     * socket; with {@link Spread#HAND_OFF} one on the caller's loop. Each run accepts with
     * {@link Acceptor#accept()} and starts each connection's task with
     * {@link Acceptor#start}, so it may pace itself between accepts (a connection cap, for
     * one). When one run ends, for any reason, the listener is closed, which ends the
     * others' accepts with {@link SocketException}: a socket nobody accepts on would strand
     * the connections the kernel gives it. Cancelling the caller closes the listener and
     * cancels the runs. Once per listener; from a Weft task.
     *
     * @throws IOException if a run failed with one (the first such failure)
     */
    public void runAcceptors(AcceptLoop body) throws IOException {
        Runtime rt = Weft.runtime();
        EventLoop here = NetIo.loop("TcpListener.runAcceptors");
        core.beginServing();
        List<Acceptor> acceptors = openAcceptors(rt, here);
        core.runAcceptors(rt, acceptors, acceptors.stream().map(a -> a.loop).toList(), body::run);
    }

    /**
     * The acceptors for {@link #runAcceptors}: the bound socket on the caller's loop, and
     * for REUSE_PORT a sibling on the same port (the bound one's, so port 0 works) for every
     * other loop. A sibling that cannot be bound falls back to handing off from the bound
     * socket, with a warning, rather than leaving a loop without connections.
     */
    private List<Acceptor> openAcceptors(Runtime rt, EventLoop here) throws IOException {
        int loops = rt.loopCount();
        int home = ListenerCore.homeLoop(rt, here);
        List<Acceptor> out = new ArrayList<>();
        if (spread == Spread.HAND_OFF || loops == 1) {
            out.add(new Acceptor(rt, handle, home, true));
            return out;
        }
        out.add(new Acceptor(rt, handle, home, false));
        for (int i = 0; i < loops; i++) {
            if (i == home) {
                continue;
            }
            SocketHandle sibling;
            try {
                sibling = open(here, local, reuseAddress, true, backlog);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot open a per-loop socket on " + local + " (" + e.getMessage()
                        + "); handing connections off from one socket instead");
                closeSiblings();
                out.clear();
                out.add(new Acceptor(rt, handle, home, true));
                return out;
            }
            synchronized (lock) {
                if (closed) {
                    sibling.close();
                    throw new SocketException("Socket closed: " + this + " was closed as serving began");
                }
                siblings.add(sibling);
            }
            out.add(new Acceptor(rt, sibling, i, false));
        }
        return out;
    }

    /**
     * One accepting loop of {@link #runAcceptors}: a socket, the loop that accepts on it,
     * and where its connections' tasks start.
     */
    public final class Acceptor {
        private final SocketHandle socket;
        private final int loop;
        private final ListenerCore.Starter starter;

        private Acceptor(Runtime runtime, SocketHandle socket, int loop, boolean handOff) {
            this.socket = socket;
            this.loop = loop;
            this.starter = new ListenerCore.Starter(runtime, loop, handOff);
        }

        /** Waits for a connection on this acceptor's socket, as {@link TcpListener#accept()} does. */
        public TcpStream accept() throws IOException {
            return TcpListener.this.accept(socket, Deadline.NONE);
        }

        /** Waits until {@code deadline} for a connection on this acceptor's socket. */
        public TcpStream accept(Deadline deadline) throws IOException {
            return TcpListener.this.accept(socket, deadline);
        }

        /** The loop this acceptor accepts on. */
        public int loopIndex() {
            return loop;
        }

        /**
         * Starts a connection's task where it belongs, and keeps it there: with REUSE_PORT
         * on this acceptor's loop, with HAND_OFF on the next loop in turn. Call it from the
         * acceptor's own run (it is not thread-safe).
         */
        public Task<Void> start(ThrowingRunnable connection) {
            return starter.start(connection);
        }
    }

    /** The bound address (with the actual port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * Closes the listener and every per-loop socket it opened; a task blocked in accept
     * gets {@link java.net.SocketException}.
     */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            closed = true;
        }
        IOException first = null;
        try {
            handle.close();
        } catch (IOException e) {
            first = e;
        }
        try {
            closeSiblings();
        } catch (IOException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void closeSiblings() throws IOException {
        List<SocketHandle> toClose;
        synchronized (lock) {
            toClose = new ArrayList<>(siblings);
            siblings.clear();
        }
        IOException first = null;
        for (SocketHandle s : toClose) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public String toString() {
        return "TcpListener[" + local + "]";
    }
}
