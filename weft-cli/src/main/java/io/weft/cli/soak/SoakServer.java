package io.weft.cli.soak;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's server, on Weft's {@link TcpListener} and {@link TcpStream}: one task
 * accepts, and one task per connection reads {@link Frame}s, checks every payload byte,
 * and either echoes each frame ({@link Mode#ECHO}) or records it in a {@link Ledger} and
 * then acknowledges it ({@link Mode#ACK}).
 *
 * <p>Connection tasks catch everything they throw and sort it: an {@link IOException} is
 * the peer's doing (a reset, an end of stream inside a frame, a timeout) and goes to
 * {@link #peerErrors()}; a frame that breaks the format or whose bytes are wrong, and any
 * other exception, is a {@link #failures()}; a cancellation (the runtime shutting down)
 * is only counted.
 */
final class SoakServer {

    /** What the server does with a frame once its bytes are checked. */
    enum Mode {
        /** Sends the frame back. */
        ECHO,
        /** Records it in the ledger, then sends its header back with length 0. */
        ACK
    }

    /** The longest a connection may keep a read or a write waiting; far above any stall the clients make. */
    static final Duration IDLE = Duration.ofSeconds(30);

    private final Mode mode;
    private final Ledger ledger;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder frames = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final ErrorTally peerErrors = new ErrorTally();
    private final ErrorTally failures = new ErrorTally();
    private final CompletableFuture<TcpListener> bound = new CompletableFuture<>();
    private TcpListener listener;
    private Task<Void> acceptTask;

    private SoakServer(Mode mode, Ledger ledger) {
        this.mode = mode;
        this.ledger = ledger;
    }

    /**
     * Starts the accept task in {@code rt}, which binds 127.0.0.1 on an ephemeral port, and
     * returns once it listens. The accept task is then the server's only task, so a
     * baseline of live tasks taken now counts it alone.
     */
    static SoakServer start(Runtime rt, Mode mode, Ledger ledger) throws IOException, InterruptedException {
        SoakServer server = new SoakServer(mode, ledger);
        server.acceptTask = rt.spawn(server::serve);
        try {
            server.listener = server.bound.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the soak server cannot listen on 127.0.0.1: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the soak server did not listen within 30 s");
        }
        return server;
    }

    int port() {
        return listener.localAddress().getPort();
    }

    /** The accept task. It owns the listener: however it ends (closed, cancelled by a shutdown), the listener is closed. */
    private void serve() {
        TcpListener l;
        try {
            // The kernel caps the backlog at net.core.somaxconn; asking for more lets a burst of
            // thousands of connects queue up to that cap.
            l = TcpListener.builder().backlog(8192).bind(new InetSocketAddress("127.0.0.1", 0));
        } catch (IOException | RuntimeException e) {
            bound.completeExceptionally(e);
            return;
        }
        bound.complete(l);
        try (l) {
            while (true) {
                TcpStream conn;
                try {
                    conn = l.accept();
                } catch (CancellationException e) {
                    return;
                } catch (IOException e) {
                    if (!l.isClosed()) {
                        failures.add("accept", e.toString());
                    }
                    return;
                }
                accepted.increment();
                Weft.spawn(() -> handle(conn));
            }
        } catch (IOException e) {
            failures.add("listener close", e.toString());
        }
    }

    private void handle(TcpStream conn) {
        try (conn) {
            conn.setNoDelay(true);
            conn.setReadTimeout(IDLE);
            conn.setWriteTimeout(IDLE);
            byte[] buf = new byte[Frame.HEADER];
            while (true) {
                int n = conn.read(buf, 0, Frame.HEADER);
                if (n < 0) {
                    return; // the client closed between frames
                }
                conn.readFully(buf, n, Frame.HEADER - n);
                int len = Frame.length(buf);
                if (len < 0 || len > Frame.MAX_PAYLOAD) {
                    failures.add("bad frame", "announced payload length " + len + " (limit " + Frame.MAX_PAYLOAD + ") from " + conn.remoteAddress());
                    return;
                }
                if (buf.length < Frame.HEADER + len) {
                    buf = Arrays.copyOf(buf, Frame.HEADER + len);
                }
                conn.readFully(buf, Frame.HEADER, len);
                int connection = Frame.connection(buf);
                long seq = Frame.seq(buf);
                String bad = Frame.verify(buf, len, connection, seq);
                if (bad != null) {
                    failures.add("verification", bad);
                    return;
                }
                frames.increment();
                if (mode == Mode.ECHO) {
                    conn.writeAll(buf, 0, Frame.HEADER + len);
                } else {
                    if (seq < 0 || seq > Ledger.MAX_SEQ) {
                        failures.add("bad frame", "sequence number " + seq + " outside 0.." + Ledger.MAX_SEQ);
                        return;
                    }
                    ledger.record(connection, seq);
                    Frame.header(buf, 0, connection, seq);
                    conn.writeAll(buf, 0, Frame.HEADER);
                }
            }
        } catch (CancellationException e) {
            cancelled.increment();
        } catch (IOException e) {
            peerErrors.add(e);
        } catch (RuntimeException | Error e) {
            failures.add(e);
        }
    }

    /**
     * Closes the listener and waits up to {@code timeout} for the accept task to end.
     * Connection tasks end when their clients close.
     */
    void stopAccepting(Duration timeout) throws IOException {
        listener.close();
        acceptTask.join(timeout);
    }

    long accepted() {
        return accepted.sum();
    }

    /** Frames whose bytes were checked and that were echoed or recorded. */
    long frames() {
        return frames.sum();
    }

    /** Connection tasks ended by cancellation. */
    long cancelled() {
        return cancelled.sum();
    }

    ErrorTally peerErrors() {
        return peerErrors;
    }

    ErrorTally failures() {
        return failures;
    }
}
