package io.weft.http;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;
import io.weft.sync.Semaphore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP/1.1 server: one Weft task per connection, handlers in blocking style,
 * keep-alive and pipelining, bodies by Content-Length or chunked, limits and timeouts
 * that answer with the proper 4xx, and a graceful shutdown.
 *
 * <pre>{@code
 * Router router = new Router()
 *         .get("/hello/{name}", (req, res) -> res.contentType("text/plain").send("Hello, " + req.pathParam("name")));
 * try (Runtime rt = Runtime.builder().build()) {
 *     HttpServer server = HttpServer.builder().port(8080).handler(router).build().start(rt);
 *     ...
 *     server.shutdown(Duration.ofSeconds(5));   // finishes the requests in flight
 * }
 * }</pre>
 */
/*
 * Overview
 *
 * start() spawns the accept task on the runtime and waits until it has bound. The accept
 * task runs the listener's acceptors (TcpListener.runAcceptors, as the builder's spread
 * says: one acceptor handing connections to the loops in turn, or one per loop with its
 * own SO_REUSEPORT socket), so connections spread over every loop. An acceptor starts a
 * task per connection (Acceptor.start) and registers the connection in `connections`.
 * Each connection holds one of `maxConnections` permits, which its task returns when it
 * ends. A lone acceptor takes the permit before it accepts: at the cap it waits, so new
 * connections stay in the kernel's listen backlog (unserved, not refused) until one
 * closes. Per-loop acceptors take it just after they accept instead: a permit held by an
 * acceptor waiting on a quiet socket would otherwise be missing while connections wait on
 * another loop's socket, below the cap; so at the cap each may hold one accepted
 * connection unserved (at most loops - 1 descriptors past the cap, the reserve covers
 * them). Reaching the cap is logged once per server at WARNING, later times at DEBUG, so
 * a flood does not flood the log.
 *
 * shutdown(grace), from any thread but this server's tasks:
 *   1. set `draining`; close the listener, which ends the accept task;
 *   2. close every connection that waits between requests (Connection.closeIfIdle; the
 *      overview of Connection shows why none is missed); busy ones finish their request,
 *      answer with Connection: close and end;
 *   3. wait until every connection has ended, at most `grace`;
 *   4. close the connections still open (their pending reads and writes fail, their
 *      handlers see the failure) and wait for their tasks, at most 5 s more.
 *
 * The sweeper, a task started with the acceptor when an idle or write timeout or a
 * minimum response data rate is set, wakes every quarter of the shortest of them (the
 * rate's grace; 10 ms to 1 s) and lets each connection close itself if it is past its
 * idle or write deadline (Connection.sweep), so those limits hold to within a quarter. It may close a connection that turned idle again just as an
 * old idle deadline was judged, which HTTP allows at any idle moment; it never closes a
 * connection in the middle of a request for being idle.
 */
public final class HttpServer {

    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());

    private final InetSocketAddress bindAddress;
    private final Handler handler;
    private final Limits limits;
    private final byte[] serverLine;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final int maxConnections;
    /** One permit per connection the server may still accept. */
    private final Semaphore slots;
    /** Set once the cap was first reached: later times are logged at DEBUG only. */
    private final AtomicBoolean capLogged = new AtomicBoolean();
    /** How many acceptors wait for a connection to end before they serve another. */
    private final java.util.concurrent.atomic.AtomicInteger atCap = new java.util.concurrent.atomic.AtomicInteger();
    private final TcpListener.Spread spread;
    private final Object ended = new Object();
    /**
     * False until shutdown begins, then true for good. Written once by shutdown(), read by
     * connection tasks (volatile: see the Dekker pairing with Connection.state).
     */
    private volatile boolean draining;
    private volatile TcpListener listener;
    private volatile Task<Void> acceptor;
    private volatile Task<Void> sweeper;

    private HttpServer(Builder b) {
        this.bindAddress = b.address;
        this.handler = b.handler;
        this.limits = new Limits(b.maxRequestLine, b.maxHeaderSize, b.maxHeaderCount, b.maxBodySize,
                b.idleTimeout, b.readTimeout, b.writeTimeout, b.maxDrainSize,
                b.bodyTimeout, b.minRequestBodyRate, b.minResponseRate);
        this.maxConnections = b.maxConnections > 0 ? b.maxConnections : defaultMaxConnections();
        this.spread = b.spread;
        this.slots = new Semaphore(maxConnections);
        this.serverLine = b.serverName == null ? new byte[0] : Ascii.bytes("Server: " + b.serverName + "\r\n");
    }

    public static Builder builder() {
        return new Builder();
    }

    Limits limits() {
        return limits;
    }

    Handler handler() {
        return handler;
    }

    byte[] serverLine() {
        return serverLine;
    }

    boolean isDraining() {
        return draining;
    }

    /**
     * Binds and starts accepting on {@code runtime}; returns once listening.
     *
     * @throws IOException if the address cannot be bound
     */
    public HttpServer start(Runtime runtime) throws IOException {
        if (acceptor != null) {
            throw new IllegalStateException("already started");
        }
        // Load and initialise the classes every response needs here, on the caller's thread:
        // the first response would otherwise spend a loop's time on class loading and date
        // formatting tables.
        HttpDate.line();
        HttpStatus.line(200);
        CompletableFuture<TcpListener> bound = new CompletableFuture<>();
        acceptor = runtime.spawn(() -> accept(bound));
        long tick = sweepTick();
        if (tick > 0) {
            sweeper = runtime.spawn(() -> sweep(tick));
        }
        try {
            listener = bound.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start the HTTP server on " + bindAddress, e.getCause());
        } catch (TimeoutException e) {
            acceptor.cancel();
            throw new IOException("the HTTP server did not bind " + bindAddress + " within 30 s");
        } catch (InterruptedException e) {
            acceptor.cancel();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the HTTP server");
        }
        return this;
    }

    private void accept(CompletableFuture<TcpListener> bound) throws IOException {
        TcpListener l;
        try {
            l = TcpListener.builder().spread(spread).bind(bindAddress);
        } catch (IOException | RuntimeException e) {
            bound.completeExceptionally(e);
            return;
        }
        bound.complete(l);
        try (l) {
            l.runAcceptors(a -> acceptOn(l, a));
        }
    }

    /** One acceptor's loop; see the overview for when it takes a connection's permit. */
    private void acceptOn(TcpListener l, TcpListener.Acceptor acceptor) throws IOException {
        boolean slotFirst = l.spread() == TcpListener.Spread.HAND_OFF || Weft.runtime().loopCount() == 1;
        while (!draining) {
            if (slotFirst) {
                awaitSlot();
            }
            TcpStream s;
            try {
                s = acceptor.accept();
            } catch (SocketException e) {
                if (slotFirst) {
                    slots.release();
                }
                if (l.isClosed()) {
                    return;
                }
                throw e;
            } catch (IOException | RuntimeException e) {
                if (slotFirst) {
                    slots.release();
                }
                throw e;
            }
            if (!slotFirst) {
                try {
                    awaitSlot();
                } catch (RuntimeException e) { // cancelled at shutdown
                    s.close();
                    throw e;
                }
            }
            if (draining) {
                slots.release();
                s.close();
                return;
            }
            Connection c;
            try {
                s.setNoDelay(true);
                c = new Connection(this, s);
            } catch (IOException | RuntimeException e) {
                slots.release();
                s.close();
                LOG.log(System.Logger.Level.DEBUG, "dropped a connection that failed as it was accepted: " + e);
                continue;
            }
            connections.add(c);
            acceptor.start(() -> {
                try {
                    c.serve();
                } finally {
                    connections.remove(c);
                    slots.release();
                    synchronized (ended) {
                        ended.notifyAll();
                    }
                }
            });
        }
    }

    /** Takes a connection permit, waiting for a connection to end if the server is at its cap. */
    private void awaitSlot() {
        if (slots.tryAcquire()) {
            return;
        }
        String message = "at the connection cap of " + maxConnections
                + ": new connections wait in the listen backlog until one closes";
        LOG.log(capLogged.compareAndSet(false, true) ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, message);
        atCap.incrementAndGet();
        try {
            slots.acquire();
        } finally {
            atCap.decrementAndGet();
        }
    }

    /**
     * The default connection cap: the soft RLIMIT_NOFILE less a reserve of a tenth of it
     * (at least 64) for the process's other descriptors (listeners, files, the runtime's
     * own), at least 16; 10,000 where the limit cannot be read or is unlimited.
     */
    static int defaultMaxConnections() {
        long soft = openFilesSoftLimit();
        if (soft <= 0) {
            return 10_000;
        }
        long reserve = Math.max(64, soft / 10);
        return Math.clamp(soft - reserve, 16, Integer.MAX_VALUE);
    }

    /** The soft limit on open files as /proc/self/limits states it; -1 if unknown or unlimited. */
    private static long openFilesSoftLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the open-files limit: " + e);
        }
        return -1;
    }

    /** How often the sweeper runs, in nanoseconds; 0 if no timeout needs it. */
    private long sweepTick() {
        long shortest = 0;
        DataRate rate = limits.minResponseRate();
        long[] candidates = {Limits.nanos(limits.idleTimeout()), Limits.nanos(limits.writeTimeout()),
                rate.enabled() ? Math.max(1, Limits.nanos(rate.grace())) : 0};
        for (long c : candidates) {
            if (c != 0 && (shortest == 0 || c < shortest)) {
                shortest = c;
            }
        }
        if (shortest == 0) {
            return 0;
        }
        return Math.clamp(shortest / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
    }

    private void sweep(long tick) {
        while (!draining) {
            Weft.sleep(Duration.ofNanos(tick));
            long now = System.nanoTime();
            for (Connection c : connections) {
                c.sweep(now);
            }
        }
    }

    /** The bound address (with the real port if the builder asked for port 0). */
    public InetSocketAddress localAddress() {
        TcpListener l = listener;
        if (l == null) {
            throw new IllegalStateException("not started");
        }
        return l.localAddress();
    }

    public int port() {
        return localAddress().getPort();
    }

    /** Connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** The connections open now (a live view). */
    Iterable<Connection> connections() {
        return connections;
    }

    /** The most connections served at once (see {@link Builder#maxConnections}). */
    public int maxConnections() {
        return maxConnections;
    }

    /** True while the server is at its connection cap and waits for a connection to close before accepting. */
    boolean waitingAtCap() {
        return atCap.get() > 0;
    }

    /**
     * Stops accepting, lets requests in flight finish for at most {@code grace}, then
     * closes what is left. Idle keep-alive connections close at once. Idempotent.
     *
     * @return true if every connection ended within {@code grace}
     */
    public boolean shutdown(Duration grace) {
        draining = true;
        TcpListener l = listener;
        if (l != null) {
            try {
                l.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the listener: " + e);
            }
        }
        for (Connection c : connections) {
            c.closeIfIdle();
        }
        boolean clean = awaitConnections(System.nanoTime() + grace.toNanos());
        if (!clean) {
            for (Connection c : connections) {
                c.close();
            }
            awaitConnections(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        }
        for (Task<Void> t : java.util.Arrays.asList(acceptor, sweeper)) {
            if (t != null) {
                t.cancel();
            }
        }
        return clean;
    }

    private boolean awaitConnections(long deadline) {
        synchronized (ended) {
            while (!connections.isEmpty()) {
                long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (ms <= 0) {
                    return false;
                }
                try {
                    ended.wait(Math.min(ms, 50)); // bounded: a connection may end between isEmpty and wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return connections.isEmpty();
                }
            }
            return true;
        }
    }

    @Override
    public String toString() {
        TcpListener l = listener;
        return "HttpServer[" + (l == null ? bindAddress : l.localAddress()) + "]";
    }

    /** How a server binds, whom it calls, and what it accepts. */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 8080);
        private Handler handler = (req, res) -> res.status(404).send("no handler\n");
        private int maxRequestLine = Limits.DEFAULT.maxRequestLineLength();
        private int maxHeaderSize = Limits.DEFAULT.maxHeaderSize();
        private int maxHeaderCount = Limits.DEFAULT.maxHeaderCount();
        private long maxBodySize = Limits.DEFAULT.maxBodySize();
        private long maxDrainSize = Limits.DEFAULT.maxDrainSize();
        private Duration idleTimeout = Limits.DEFAULT.idleTimeout();
        private Duration readTimeout = Limits.DEFAULT.readTimeout();
        private Duration writeTimeout = Limits.DEFAULT.writeTimeout();
        private String serverName = "weft";
        private Duration bodyTimeout = Limits.DEFAULT.bodyTimeout();
        private DataRate minRequestBodyRate = Limits.DEFAULT.minRequestBodyRate();
        private DataRate minResponseRate = Limits.DEFAULT.minResponseRate();
        private int maxConnections;
        private TcpListener.Spread spread = TcpListener.Spread.HAND_OFF;

        private Builder() {
        }

        /** Where to listen (default 127.0.0.1:8080; port 0 picks a free one). */
        public Builder address(InetSocketAddress address) {
            this.address = address;
            return this;
        }

        public Builder address(String host, int port) {
            return address(new InetSocketAddress(host, port));
        }

        /** The port on 127.0.0.1. */
        public Builder port(int port) {
            return address(new InetSocketAddress(address.getAddress(), port));
        }

        /** Who serves the requests; usually a {@link Router}. */
        public Builder handler(Handler handler) {
            this.handler = java.util.Objects.requireNonNull(handler);
            return this;
        }

        /** Longest request line (method, target, version); longer is 414 (default 8 KiB). */
        public Builder maxRequestLineLength(int bytes) {
            this.maxRequestLine = bytes;
            return this;
        }

        /** Most bytes of header fields; more is 431 (default 16 KiB). */
        public Builder maxHeaderSize(int bytes) {
            this.maxHeaderSize = bytes;
            return this;
        }

        /** Most header fields; more is 431 (default 100). */
        public Builder maxHeaderCount(int n) {
            this.maxHeaderCount = n;
            return this;
        }

        /** Largest request body; larger is 413, by Content-Length at once, chunked as it arrives (default 10 MiB). */
        public Builder maxBodySize(long bytes) {
            this.maxBodySize = bytes;
            return this;
        }

        /** Most bytes of a body its handler did not read that the server drops to keep the connection; beyond, it closes (default 256 KiB). */
        public Builder maxDrainSize(long bytes) {
            this.maxDrainSize = bytes;
            return this;
        }

        /** How long a kept-alive connection may wait for its next request before it is closed (default 60 s; zero: forever). */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        /**
         * How long a request's head may take to arrive once its first byte has, and how long
         * each body read may wait; past it the answer is 408 (default 20 s; zero: forever).
         * See also {@link #bodyTimeout} and {@link #minRequestBodyDataRate}.
         */
        public Builder readTimeout(Duration d) {
            this.readTimeout = d;
            return this;
        }

        /** How long each write of a response may wait for the client to take it (default 30 s). */
        public Builder writeTimeout(Duration d) {
            this.writeTimeout = d;
            return this;
        }

        /**
         * How long a request's whole body may take to arrive, from the first time the server
         * waits for it; past it the answer is 408 (default 5 minutes; zero: no limit).
         */
        public Builder bodyTimeout(Duration d) {
            this.bodyTimeout = d;
            return this;
        }

        /**
         * The slowest a request body may arrive: once the server has waited {@code grace} for
         * body bytes, it must have received at least {@code bytesPerSecond} for every second
         * it waited, else the answer is 408 and the connection closes. Only time spent
         * waiting for the client counts. Default 240 bytes/s after 5 s; 0 turns it off.
         */
        public Builder minRequestBodyDataRate(long bytesPerSecond, Duration grace) {
            this.minRequestBodyRate = new DataRate(bytesPerSecond, grace);
            return this;
        }

        /**
         * The slowest a client may take its response: once a response's writes have waited
         * {@code grace} for the client, it must have taken at least {@code bytesPerSecond}
         * for every second they waited, else the connection is closed (the handler's write
         * fails). Checked with the write timeout, to within a quarter of the grace. Default
         * 240 bytes/s after 5 s; 0 turns it off.
         */
        public Builder minResponseDataRate(long bytesPerSecond, Duration grace) {
            this.minResponseRate = new DataRate(bytesPerSecond, grace);
            return this;
        }

        /**
         * The most connections served at once. At the cap the server stops accepting until
         * one closes; new connections wait in the listen backlog meanwhile. Default: the
         * soft RLIMIT_NOFILE minus a tenth of it (at least 64 kept for other descriptors),
         * at least 16; 10,000 if that limit is unknown or unlimited.
         */
        public Builder maxConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + n);
            }
            this.maxConnections = n;
            return this;
        }

        /**
         * How connections spread over the runtime's loops (default
         * {@link TcpListener.Spread#HAND_OFF}: one acceptor hands them to the loops in turn,
         * and the port is this server's alone). {@link TcpListener.Spread#REUSE_PORT} gives
         * every loop its own SO_REUSEPORT socket and acceptor.
         */
        public Builder spread(TcpListener.Spread spread) {
            this.spread = java.util.Objects.requireNonNull(spread, "spread");
            return this;
        }

        /** The Server header's value (default {@code weft}); null for none. */
        public Builder serverName(String name) {
            this.serverName = name;
            return this;
        }

        public HttpServer build() {
            return new HttpServer(this);
        }
    }
}
