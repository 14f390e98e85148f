package io.weft.cli;

import io.weft.Deadline;
import io.weft.Scope;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's echo server: an accept loop that starts one task per connection, each
 * writing back whatever it reads until the client closes its side.
 *
 * <pre>{@code
 * EchoServer server = new EchoServer(listener);
 * Task<Void> serving = Weft.spawn(server::serve);
 * ...
 * listener.close();      // ends the accept loop; serve() waits for the connections to end
 * serving.join();
 * }</pre>
 */
/*
 * The connection tasks are children of a scope owned by the accept task, so none outlives
 * serve(): after the listener closes, serve() gives them DRAIN to see their clients' end of
 * stream, and a connection still open then is cancelled and reported. The scope collects
 * rather than fails fast: one broken connection must not tear down the others.
 *
 * Connection tasks start on the accept task's loop (a spawn from a task is local), and an
 * idle loop steals queued ones. In the demo the clients run in the same runtime, so a
 * connection whose client shares its loop hands each message over without waking another
 * core; TcpListener.serve would instead spread connections evenly by hand-off.
 */
final class EchoServer {

    /** Per-connection buffer; a larger message simply takes several reads. */
    static final int BUFFER = 16 * 1024;
    static final Duration DRAIN = Duration.ofSeconds(5);

    private final TcpListener listener;
    private final LongAdder connections = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();

    EchoServer(TcpListener listener) {
        this.listener = listener;
    }

    /** Accepts until the listener is closed, then waits for the connections to end. Run as a task. */
    void serve() throws IOException {
        try (Scope open = Scope.open(Scope.Policy.COLLECT_ALL)) {
            while (true) {
                TcpStream conn;
                try {
                    conn = listener.accept();
                } catch (SocketException e) {
                    if (listener.isClosed()) {
                        break;
                    }
                    throw e;
                }
                connections.increment();
                open.spawn(() -> echo(conn));
            }
            open.withTimeout(DRAIN);
            open.join();
        } catch (RuntimeException e) {
            error(e);
        }
    }

    private void echo(TcpStream conn) {
        try (conn) {
            conn.setNoDelay(true);
            byte[] buf = new byte[BUFFER];
            for (int n; (n = conn.read(buf)) > 0; ) {
                conn.writeAll(buf, 0, n, Deadline.NONE);
            }
        } catch (IOException | RuntimeException e) {
            error(e);
        }
    }

    private void error(Throwable e) {
        errors.increment();
        firstError.compareAndSet(null, e);
    }

    /** Connections accepted so far. */
    long connections() {
        return connections.sum();
    }

    /** Connections that ended with an error, plus a drain that timed out. */
    long errors() {
        return errors.sum();
    }

    /** The first error, or null. */
    Throwable firstError() {
        return firstError.get();
    }
}
