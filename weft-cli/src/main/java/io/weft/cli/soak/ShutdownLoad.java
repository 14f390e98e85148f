package io.weft.cli.soak;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The client side of the shutdown scenario: {@code n} connections, each sending numbered
 * frames (up to {@link #WINDOW} ahead of the acknowledgements) until the server goes
 * away. Every acknowledgement must name the next unacknowledged number, so the
 * acknowledged messages are always #0 .. #acked-1. When the connection ends, the client
 * reports how many it sent, how many were acknowledged, and the error that ended it,
 * which names the unacknowledged numbers.
 */
final class ShutdownLoad {

    /** Frames a connection sends before it waits for an acknowledgement. */
    static final int WINDOW = 4;
    static final int PAYLOAD = 32;
    /** Messages per second for all connections together, so the scenario loads the server without saturating a small machine. */
    static final int RATE = 20_000;

    /** How a connection ended. */
    static final String CLOSED = "closed";
    static final String RESET = "reset";
    static final String TIMEOUT = "timeout";
    static final String VERIFICATION = "verification";

    private final int n;
    private final int maxSeconds;
    private final ErrorTally errors = new ErrorTally();

    ShutdownLoad(int n, int maxSeconds) {
        this.n = n;
        this.maxSeconds = maxSeconds;
    }

    void run(int port, ClientOutput out) throws InterruptedException {
        // A connection that is neither acknowledged nor closed for maxSeconds ends with TIMEOUT,
        // which the soak process counts as a failure of the shutdown.
        ClientCrowd.run(n, port, maxSeconds * 1000, (id, c) -> send(id, c, out), count -> {
            out.line("connected " + count);
            out.line("loaded");
        }, errors, Duration.ofSeconds(maxSeconds + 60L));
        out.errors(errors);
    }

    private void send(int id, ClientConnection c, ClientOutput out) throws InterruptedException {
        if (c == null) {
            out.line("conn " + id + " 0 0 connect connect failed");
            return;
        }
        Duration pause = Duration.ofNanos(1_000_000_000L * n / RATE);
        long sent = 0;
        long acked = 0;
        String kind;
        String message;
        try {
            while (true) {
                while (sent - acked < WINDOW) {
                    c.send(PAYLOAD, id, sent);
                    sent++;
                }
                String bad = c.receive(0, id, acked);
                if (bad != null) {
                    kind = VERIFICATION;
                    message = "acknowledgement after #" + (acked - 1) + ": " + bad;
                    break;
                }
                acked++;
                Thread.sleep(pause);
            }
        } catch (EOFException e) {
            kind = CLOSED;
            message = "connection closed by the server";
        } catch (SocketTimeoutException e) {
            kind = TIMEOUT;
            message = "no acknowledgement and no close within " + maxSeconds + " s";
        } catch (SocketException e) {
            kind = RESET;
            message = "connection reset (" + e.getMessage() + ")";
        } catch (IOException e) {
            kind = ClientOutput.token(e.getClass().getSimpleName());
            message = String.valueOf(e.getMessage());
        }
        String unacked = sent > acked ? "; messages #" + acked + ".." + (sent - 1) + " unacknowledged" : "; nothing unacknowledged";
        out.line("conn " + id + " " + sent + " " + acked + " " + kind + " " + message + unacked);
    }
}
