package io.weft.cli;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.net.TcpStream;
import org.HdrHistogram.Recorder;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * One demo client, run as one task: connects, then sends a message, reads its echo and
 * checks every byte, again and again until {@code stopAt}; then closes its side and waits
 * for the server to close its own. It never throws: a failure ends the client and is
 * returned in its {@link Result}, beside the counts so far.
 */
/*
 * Overview
 *
 *   connect (deadline: CONNECT_TIMEOUT, at most hardStop)
 *   for seq = 0, 1, ... while stopAt has not passed:
 *       fill `out` with the pattern of (id, seq)
 *       t = nanoTime; exchange(out -> in); record nanoTime - t
 *       compare `out` and `in` byte by byte; count a mismatch
 *   shutdownOutput; expect end of stream (the server saw ours and closed)
 *
 * exchange() keeps at most WINDOW bytes in flight and reads whenever it may not write.
 * Writing the whole message before reading would deadlock once a message outgrows the
 * socket buffers of both sides; with the window the echo is drained as it comes back, and
 * a small message is still one write and one read.
 *
 * Every wait has `hardStop` as its deadline, so a server that stops answering turns into a
 * SocketTimeoutException here instead of a demo that never ends.
 */
final class EchoClient implements Callable<EchoClient.Result> {

    /** Less than the loopback socket buffers of one side, so a write always finds room soon. */
    static final int WINDOW = 64 * 1024;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The longest round trip a recorder tracks; longer ones are recorded as this. Recorders
     * are made for this range up front: one that resizes while clients record stalls them.
     */
    static final long LATENCY_CAP_NANOS = TimeUnit.MINUTES.toNanos(1);

    /**
     * What one client did.
     *
     * @param messages       round trips completed; each one's echo was checked
     * @param mismatches     of those, the ones whose echo differed from what was sent
     * @param firstMismatch  where the first mismatch was, or null
     * @param failure        what ended the client early, or null
     */
    record Result(int id, long messages, long mismatches, String firstMismatch, Throwable failure) {
    }

    private final int id;
    private final InetSocketAddress server;
    private final int size;
    private final BooleanSupplier stop;
    private final Deadline hardStop;
    private final Recorder[] latencyByLoop;
    private final LongAdder progress;

    /**
     * @param latencyByLoop one recorder per loop, each tracking up to {@link #LATENCY_CAP_NANOS};
     *                      the client writes to its own loop's, so writers on different
     *                      loops never touch the same counters
     * @param progress      counts completed round trips for the progress line
     */
    EchoClient(int id, InetSocketAddress server, int size, Deadline stopAt, Deadline hardStop,
               Recorder[] latencyByLoop, LongAdder progress) {
        this(id, server, size, stopAt::hasPassed, hardStop, latencyByLoop, progress);
    }

    /** Like the other, but starts no new message once {@code stop} is true (tests stop after a count). */
    EchoClient(int id, InetSocketAddress server, int size, BooleanSupplier stop, Deadline hardStop,
               Recorder[] latencyByLoop, LongAdder progress) {
        this.id = id;
        this.server = server;
        this.size = size;
        this.stop = stop;
        this.hardStop = hardStop;
        this.latencyByLoop = latencyByLoop;
        this.progress = progress;
    }

    @Override
    public Result call() {
        Task<?> self = Task.current();
        Recorder latency = latencyByLoop[self == null ? 0 : self.loopIndex() % latencyByLoop.length];
        byte[] out = new byte[size];
        byte[] in = new byte[size];
        long messages = 0;
        long mismatches = 0;
        String firstMismatch = null;
        Throwable failure = null;
        try (TcpStream s = TcpStream.connect(server, Deadline.after(CONNECT_TIMEOUT).min(hardStop))) {
            s.setNoDelay(true);
            for (long seq = 0; !stop.getAsBoolean(); seq++) {
                Payload.fill(out, id, seq);
                long start = System.nanoTime();
                exchange(s, out, in);
                latency.recordValue(Math.min(System.nanoTime() - start, LATENCY_CAP_NANOS));
                messages++;
                progress.increment();
                int at = Arrays.mismatch(out, in);
                if (at >= 0) {
                    if (mismatches++ == 0) {
                        firstMismatch = String.format("connection %d, message %d, byte %d: sent 0x%02x, echoed 0x%02x",
                                id, seq, at, out[at] & 0xff, in[at] & 0xff);
                    }
                }
            }
            s.shutdownOutput();
            if (s.read(in, 0, 1, hardStop) != -1) {
                throw new IOException("the server sent bytes nobody asked for after the last echo on connection " + id);
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        return new Result(id, messages, mismatches, firstMismatch, failure);
    }

    private void exchange(TcpStream s, byte[] out, byte[] in) throws IOException {
        int len = out.length;
        int sent = 0;
        int got = 0;
        while (got < len) {
            int inFlight = sent - got;
            if (sent < len && inFlight < WINDOW) {
                sent += s.write(out, sent, Math.min(len - sent, WINDOW - inFlight), hardStop);
            } else {
                int n = s.read(in, got, inFlight, hardStop);
                if (n < 0) {
                    throw new EOFException("the server closed connection " + id + " after echoing " + got + " of " + len + " bytes");
                }
                got += n;
            }
        }
    }
}
