package io.weft.cli.soak;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of the connections scenario: {@code n} connections held for
 * {@code seconds}, each exchanging one frame a second, its echo checked byte by byte.
 * Connection {@code id} starts at {@code id / n} of a second into the first second, so
 * the exchanges spread evenly over each second instead of arriving as one burst.
 */
final class ConnectionsLoad {

    /** Payload bytes per message. */
    static final int PAYLOAD = 64;

    private final int n;
    private final int seconds;
    private final LongAdder exchanges = new LongAdder();
    private final LongAdder late = new LongAdder();
    /** Round-trip times, for the report: reported, never checked (a shared machine makes them noisy). */
    private final LongAdder rttSum = new LongAdder();
    private final AtomicLong rttMax = new AtomicLong();
    private final ErrorTally errors = new ErrorTally();
    private volatile long startNanos;

    ConnectionsLoad(int n, int seconds) {
        this.n = n;
        this.seconds = seconds;
    }

    void run(int port, ClientOutput out) throws InterruptedException {
        Duration limit = Duration.ofSeconds(seconds + 120L);
        ClientCrowd.run(n, port, (int) SoakServer.IDLE.toMillis(), this::hold, count -> {
            out.line("connected " + count);
            startNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            out.line("holding");
        }, errors, limit);
        out.stat("exchanges", exchanges.sum());
        out.stat("late", late.sum());
        out.stat("rtt_mean_us", rttSum.sum() / Math.max(1, exchanges.sum()) / 1000);
        out.stat("rtt_max_us", rttMax.get() / 1000);
        out.errors(errors);
    }

    private void hold(int id, ClientConnection c) throws IOException, InterruptedException {
        if (c == null) {
            return; // its connect failed and was counted
        }
        long first = startNanos + TimeUnit.SECONDS.toNanos(1) * id / n;
        for (int k = 0; k < seconds; k++) {
            long due = first + TimeUnit.SECONDS.toNanos(k);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            } else if (-wait > TimeUnit.SECONDS.toNanos(1)) {
                late.increment(); // the previous exchange took so long that this one starts a second late
            }
            String bad;
            long t0 = System.nanoTime();
            try {
                bad = c.exchange(PAYLOAD, id, k);
            } catch (IOException e) {
                errors.add(e.getClass().getSimpleName(), "connection " + id + " exchange #" + k + ": " + e.getMessage());
                return;
            }
            if (bad != null) {
                errors.add("verification", bad);
                return;
            }
            long rtt = System.nanoTime() - t0;
            rttSum.add(rtt);
            rttMax.accumulateAndGet(rtt, Math::max);
            exchanges.increment();
        }
    }
}
