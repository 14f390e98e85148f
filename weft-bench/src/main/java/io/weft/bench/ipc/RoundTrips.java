package io.weft.bench.ipc;

import io.weft.bench.echo.CpuWindow;
import org.HdrHistogram.Histogram;

import java.io.IOException;

/**
 * Drives one requester through the two modes and checks every response's sequence
 * number: the latency mode (one request outstanding, each round trip timed) and the
 * throughput mode (a window of requests outstanding, a new one sent as each response
 * arrives). One thread only; the sequence numbers run on across calls.
 */
final class RoundTrips {

    /** Round trips above this are recorded as this (HdrHistogram needs a bound). */
    static final long HIGHEST_LATENCY_NANOS = 60_000_000_000L;

    /** A latency window: its round trips in a histogram (ns), how many, and how long it took. */
    record Latency(Histogram nanos, long ops, long elapsedNanos) {
    }

    /** A throughput window: round trips completed and how long it took. */
    record Throughput(long ops, long elapsedNanos, int window) {
        double opsPerSec() {
            return elapsedNanos == 0 ? Double.NaN : ops * 1e9 / elapsedNanos;
        }
    }

    private final IpcRequester requester;
    private long nextRequest;
    private long nextResponse;

    RoundTrips(IpcRequester requester) {
        this.requester = requester;
    }

    private void takeResponse() throws IOException {
        long got = requester.receive();
        if (got != nextResponse) {
            throw new IOException("response " + got + " arrived where " + nextResponse + " was due");
        }
        nextResponse++;
    }

    /** Round trips one at a time for {@code nanos}. */
    Latency latency(long nanos) throws IOException {
        Histogram h = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        long start = System.nanoTime();
        long end = start + nanos;
        long ops = 0;
        long t1;
        do {
            long t0 = System.nanoTime();
            requester.send(nextRequest++);
            takeResponse();
            t1 = System.nanoTime();
            h.recordValue(Math.min(t1 - t0, HIGHEST_LATENCY_NANOS));
            ops++;
        } while (t1 - end < 0);
        return new Latency(h, ops, t1 - start);
    }

    /**
     * {@code window} requests outstanding (capped at the requester's own limit) for
     * {@code nanos}; CPU sampled by {@code cpu} (if not null) around the counted part, which
     * starts with the window full and ends before it is drained.
     */
    Throughput throughput(int window, long nanos, CpuWindow cpu) throws IOException {
        int w = Math.min(window, requester.maxWindow());
        for (int i = 0; i < w; i++) {
            requester.send(nextRequest++);
        }
        if (cpu != null) {
            cpu.begin();
        }
        long start = System.nanoTime();
        long end = start + nanos;
        long ops = 0;
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                takeResponse();
                requester.send(nextRequest++);
            }
            ops += 64;
            now = System.nanoTime();
        } while (now - end < 0);
        if (cpu != null) {
            cpu.end();
        }
        for (int i = 0; i < w; i++) {
            takeResponse();
        }
        return new Throughput(ops, now - start, w);
    }
}
