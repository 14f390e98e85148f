package io.weft.bench.echo;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The echo load generator: plain {@code java.nio}, one thread, one {@link Selector},
 * non-blocking connections, the same for every contender. It sends fixed-size messages,
 * keeps up to {@code depth} of them in flight per connection, checks every echoed byte,
 * and records each round trip in an HdrHistogram.
 *
 * <p>Not thread-safe: one thread drives it from {@link #connect} to {@link #close}.
 */
/*
 * Overview
 *
 * Messages. Message m of connection c is `size` bytes of a fixed random pattern starting
 * at offset start(c, m) = (769 c + 61 m) mod 4096. The echo must return the stream byte
 * for byte, so the receiver knows what every byte should be without storing what it sent:
 * a lost, duplicated, reordered or corrupted byte lands against a different part of the
 * random pattern and is counted (one per bad message) in `mismatches`. Bytes arriving when
 * nothing is in flight are a mismatch too, and end that connection: the stream is out of
 * step from then on.
 *
 * A phase in steps:
 *   1. Window.begin() (the caller samples CPU counters), note the start time.
 *   2. Loop until the end time: select; read what is readable; verify; a message whose
 *      last byte has arrived is complete: record now - its start time.
 *        closed loop: after each read, top the connection up to `depth` in flight, so a
 *                     completion sends the next message at once;
 *        paced:       message k (over all connections, round robin) falls due at
 *                     start + k / rate; due messages queue on their connection and are sent
 *                     while fewer than `depth` are in flight. Latency is counted from the
 *                     due time, so a server that falls behind is charged for the queueing it
 *                     causes (no coordinated omission). Sleeping is select() with a
 *                     millisecond timeout, or parkNanos below a millisecond: sends go out in
 *                     small bursts, "open-loop-ish", without spinning the core.
 *   3. Window.end(), note the stop time. Only completions in [start, stop) count.
 *   4. Drain: send nothing new, wait (at most 5 s) until every message in flight is back
 *      and verified, so each phase starts from empty pipelines.
 *
 * Rejected: a blocking thread per connection (64 threads on one core would measure the
 * scheduler, not the server), and Netty as the client (the client would then share code
 * with one contender).
 */
final class LoadGenerator implements AutoCloseable {

    /** CPU sampling around a phase's measured window. */
    interface Window {
        void begin() throws IOException;

        void end() throws IOException;

        Window NONE = new Window() {
            @Override
            public void begin() {
            }

            @Override
            public void end() {
            }
        };
    }

    /** What a phase measured. {@code offered} is the number of messages that fell due (paced) or -1. */
    record PhaseStats(long ops, long elapsedNanos, Histogram latencyNanos, long offered, long mismatches, long errors) {
        double opsPerSec() {
            return elapsedNanos <= 0 ? 0 : ops * 1e9 / elapsedNanos;
        }

        /** A latency percentile in microseconds; NaN if nothing was recorded. */
        double percentileMicros(double p) {
            return latencyNanos.getTotalCount() == 0 ? Double.NaN : latencyNanos.getValueAtPercentile(p) / 1000.0;
        }
    }

    private static final int PATTERN_SPAN = 4096;
    private static final int READ_BUFFER = 64 * 1024;
    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final InetSocketAddress server;
    private final LongSupplier clock;
    private final int size;
    private final int depth;
    private final ByteBuffer pattern;
    private final ByteBuffer in = ByteBuffer.allocateDirect(READ_BUFFER);
    private final Selector selector;
    private final Conn[] conns;
    private final List<String> errorSamples = new ArrayList<>();

    // Counters of the phase running now; `counting` is false while draining.
    private Histogram histogram;
    private boolean counting;
    private long phaseOps;
    private long phaseMismatches;
    private long phaseErrors;
    private long totalMismatches;
    private long totalErrors;

    LoadGenerator(InetSocketAddress server, int connections, int size, int depth) throws IOException {
        this(server, connections, size, depth, System::nanoTime);
    }

    /**
     * Like the other, with the clock a phase reads for its start, its end and every
     * latency; tests give one that advances a fixed step per reading, so a paced phase's
     * schedule does not depend on how busy the machine is.
     */
    LoadGenerator(InetSocketAddress server, int connections, int size, int depth, LongSupplier clock) throws IOException {
        if (connections < 1 || size < 1 || depth < 1) {
            throw new IllegalArgumentException("connections, size and depth must be positive");
        }
        this.server = server;
        this.clock = clock;
        this.size = size;
        this.depth = depth;
        byte[] p = new byte[PATTERN_SPAN + size];
        new Random(0x5eed_ec40L).nextBytes(p);
        this.pattern = ByteBuffer.allocateDirect(p.length).put(p).flip();
        this.selector = Selector.open();
        this.conns = new Conn[connections];
    }

    /** Opens every connection (blocking connect, 10 s each), then switches them to non-blocking. */
    void connect() throws IOException {
        for (int i = 0; i < conns.length; i++) {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(server, 10_000);
                ch.configureBlocking(false);
                conns[i] = new Conn(i, ch);
                conns[i].key = ch.register(selector, SelectionKey.OP_READ, conns[i]);
            } catch (IOException e) {
                ch.close();
                throw new IOException("connection " + i + " of " + conns.length + " to " + server + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Runs a closed-loop phase: every connection keeps {@code depth} messages in flight. */
    PhaseStats closedLoop(long nanos, Window window) throws IOException {
        return phase(false, 0, nanos, window);
    }

    /** Runs a paced phase at {@code ratePerSec} messages per second over all connections. */
    PhaseStats paced(double ratePerSec, long nanos, Window window) throws IOException {
        if (!(ratePerSec > 0)) {
            throw new IllegalArgumentException("rate must be positive: " + ratePerSec);
        }
        return phase(true, ratePerSec, nanos, window);
    }

    long totalMismatches() {
        return totalMismatches;
    }

    long totalErrors() {
        return totalErrors;
    }

    /** The first few connection errors, for the report. */
    List<String> errorSamples() {
        return List.copyOf(errorSamples);
    }

    private PhaseStats phase(boolean paced, double rate, long nanos, Window window) throws IOException {
        histogram = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        phaseOps = 0;
        phaseMismatches = 0;
        phaseErrors = 0;
        counting = true;
        double intervalNanos = paced ? 1e9 / rate : 0;
        long k = 0;

        window.begin();
        long start = clock.getAsLong();
        long end = start + nanos;
        if (!paced) {
            for (Conn c : conns) {
                if (!c.dead) {
                    c.fill(start);
                    c.flush();
                }
            }
        }
        long now = start;
        while (now - end < 0 && alive() > 0) {
            long wakeAt = end;
            if (paced) {
                long due = start + (long) (k * intervalNanos);
                if (due - now <= 0) {
                    while (due - now <= 0) {
                        Conn c = conns[(int) (k % conns.length)];
                        if (!c.dead) {
                            c.pending.add(due);
                        }
                        k++;
                        due = start + (long) (k * intervalNanos);
                    }
                    for (Conn c : conns) {
                        if (!c.dead && !c.pending.isEmpty()) {
                            c.sendPending();
                            c.flush();
                        }
                    }
                }
                wakeAt = due - end < 0 ? due : end;
            }
            long wait = wakeAt - now;
            int ready = wait >= 1_000_000 ? selector.select(wait / 1_000_000) : selector.selectNow();
            if (ready == 0 && paced && wait > 0 && wait < 1_000_000) {
                LockSupport.parkNanos(wait);
            }
            now = clock.getAsLong();
            handleSelected(paced, now);
        }
        long stop = clock.getAsLong();
        window.end();
        counting = false;
        PhaseStats stats = new PhaseStats(phaseOps, stop - start, histogram, paced ? k : -1, phaseMismatches, phaseErrors);
        drain();
        return stats;
    }

    private void handleSelected(boolean paced, long now) {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Conn c = (Conn) key.attachment();
            if (!key.isValid() || c.dead) {
                continue;
            }
            if (key.isReadable()) {
                c.onReadable(now);
                if (c.dead) {
                    continue;
                }
                if (counting) {
                    if (paced) {
                        c.sendPending();
                    } else {
                        c.fill(now);
                    }
                }
            }
            c.flush();
        }
    }

    private void drain() throws IOException {
        for (Conn c : conns) {
            if (c != null) {
                c.pending.clear();
            }
        }
        long until = System.nanoTime() + DRAIN_NANOS;
        while (System.nanoTime() - until < 0) {
            boolean busy = false;
            for (Conn c : conns) {
                busy |= !c.dead && c.done < c.sent;
            }
            if (!busy) {
                return;
            }
            selector.select(10);
            handleSelected(false, System.nanoTime());
        }
        for (Conn c : conns) {
            if (!c.dead && c.done < c.sent) {
                c.fail("echo of " + (c.sent - c.done) + " message(s) still missing 5 s after the phase ended");
            }
        }
    }

    private int alive() {
        int n = 0;
        for (Conn c : conns) {
            if (!c.dead) {
                n++;
            }
        }
        return n;
    }

    private int start(int conn, long msg) {
        return (int) ((769L * conn + 61L * msg) % PATTERN_SPAN);
    }

    @Override
    public void close() throws IOException {
        for (Conn c : conns) {
            if (c != null) {
                c.ch.close();
            }
        }
        selector.close();
    }

    /** One connection's send and receive state. */
    private final class Conn {
        final int id;
        final SocketChannel ch;
        SelectionKey key;
        /** Bytes not yet written, in write mode (position = end of data); room for `depth` messages. */
        final ByteBuffer out;
        /** Start time (send or due time) of message m at startTimes[m % depth]. */
        final long[] startTimes;
        final LongQueue pending = new LongQueue();
        long sent;
        long done;
        int recvOff;
        boolean currentBad;
        boolean dead;

        Conn(int id, SocketChannel ch) {
            this.id = id;
            this.ch = ch;
            this.out = ByteBuffer.allocateDirect(depth * size);
            this.startTimes = new long[depth];
        }

        /** Closed loop: queue messages until `depth` are in flight. */
        void fill(long now) {
            while (sent - done < depth) {
                queue(now);
            }
        }

        /** Paced: send due messages while fewer than `depth` are in flight. */
        void sendPending() {
            while (sent - done < depth && !pending.isEmpty()) {
                queue(pending.poll());
            }
        }

        private void queue(long startTime) {
            out.put(out.position(), pattern, start(id, sent), size);
            out.position(out.position() + size);
            startTimes[(int) (sent % depth)] = startTime;
            sent++;
        }

        void flush() {
            if (out.position() == 0) {
                return;
            }
            out.flip();
            try {
                ch.write(out);
            } catch (IOException e) {
                out.compact();
                fail("write failed: " + e.getMessage());
                return;
            }
            out.compact();
            int ops = out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
            if (key.interestOps() != ops) {
                key.interestOps(ops);
            }
        }

        void onReadable(long now) {
            for (int round = 0; round < 16; round++) {
                in.clear();
                int n;
                try {
                    n = ch.read(in);
                } catch (IOException e) {
                    fail("read failed: " + e.getMessage());
                    return;
                }
                if (n < 0) {
                    fail("the server closed the connection");
                    return;
                }
                if (n == 0) {
                    return;
                }
                in.flip();
                consume(now);
                if (dead || n < READ_BUFFER) {
                    return;
                }
            }
        }

        private void consume(long now) {
            while (in.hasRemaining()) {
                if (done == sent) {
                    mismatch();
                    fail(in.remaining() + " byte(s) arrived with no message in flight");
                    return;
                }
                int n = Math.min(size - recvOff, in.remaining());
                int at = start(id, done) + recvOff;
                if (in.slice(in.position(), n).mismatch(pattern.slice(at, n)) >= 0) {
                    currentBad = true;
                }
                in.position(in.position() + n);
                recvOff += n;
                if (recvOff == size) {
                    if (counting) {
                        long latency = now - startTimes[(int) (done % depth)];
                        histogram.recordValue(Math.min(Math.max(latency, 0), HIGHEST_LATENCY_NANOS));
                        phaseOps++;
                    }
                    if (currentBad) {
                        mismatch();
                        currentBad = false;
                    }
                    done++;
                    recvOff = 0;
                }
            }
        }

        private void mismatch() {
            totalMismatches++;
            if (counting) {
                phaseMismatches++;
            }
        }

        void fail(String why) {
            if (dead) {
                return;
            }
            dead = true;
            totalErrors++;
            if (counting) {
                phaseErrors++;
            }
            if (errorSamples.size() < 5) {
                errorSamples.add("connection " + id + ": " + why);
            }
            key.cancel();
            try {
                ch.close();
            } catch (IOException e) {
                // closing a failed connection: nothing more to learn
            }
        }
    }

    /** A growable FIFO of longs (due times), without boxing. */
    static final class LongQueue {
        private long[] items = new long[16];
        private int head;
        private int size;

        void add(long v) {
            if (size == items.length) {
                long[] bigger = new long[items.length * 2];
                for (int i = 0; i < size; i++) {
                    bigger[i] = items[(head + i) & (items.length - 1)];
                }
                items = bigger;
                head = 0;
            }
            items[(head + size) & (items.length - 1)] = v;
            size++;
        }

        long poll() {
            if (size == 0) {
                throw new IllegalStateException("empty");
            }
            long v = items[head];
            head = (head + 1) & (items.length - 1);
            size--;
            return v;
        }

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void clear() {
            head = 0;
            size = 0;
        }
    }
}
