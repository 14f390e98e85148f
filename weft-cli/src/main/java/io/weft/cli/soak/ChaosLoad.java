package io.weft.cli.soak;

import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of the chaos scenario: {@code n} connections misbehaving at random for
 * {@code seconds}. Each picks, again and again, one of these:
 *
 * <ul>
 *   <li>{@code exchange}: a frame and its echo, checked (the server must keep working);</li>
 *   <li>{@code rst}: abort the connection (SO_LINGER 0, close: the kernel sends RST);</li>
 *   <li>{@code rst_mid_frame}: send a header and half its payload, then abort;</li>
 *   <li>{@code half_close}: send a frame, shut down output, read the echo, then the
 *       server's end of stream;</li>
 *   <li>{@code stall_read}: send several large frames without reading for a while, so the
 *       server's writes back up, then read and check every echo;</li>
 *   <li>{@code stall_write}: send a header and half its payload, pause, send the rest;</li>
 *   <li>{@code idle}: do nothing for a while.</li>
 * </ul>
 *
 * An aborted or half-closed connection is replaced by a new one. Any error on the client
 * (the server resetting or closing a connection it should have served, a wrong byte,
 * a server that does not close after a half-close) counts in the errors.
 */
final class ChaosLoad {

    static final String[] ACTIONS = {"exchange", "rst", "rst_mid_frame", "half_close", "stall_read", "stall_write", "idle"};
    /** Cumulative percentages of the actions above. */
    private static final int[] CUMULATIVE = {45, 55, 62, 72, 82, 92, 100};
    static final int SMALL = 64;
    static final int LARGE = 16 * 1024;
    static final int STALL_MIN_MILLIS = 200;
    static final int STALL_MAX_MILLIS = 1500;
    /** The longest pause between two actions of one connection. */
    static final int PAUSE_MAX_MILLIS = 100;
    static final int READ_TIMEOUT_MILLIS = 15_000;

    private final int n;
    private final int seconds;
    private final long seed;
    private final LongAdder[] done = new LongAdder[ACTIONS.length];
    private final LongAdder connects = new LongAdder();
    private final LongAdder verified = new LongAdder();
    private final ErrorTally errors = new ErrorTally();
    private volatile long endNanos;

    ChaosLoad(int n, int seconds, long seed) {
        this.n = n;
        this.seconds = seconds;
        this.seed = seed;
        for (int i = 0; i < done.length; i++) {
            done[i] = new LongAdder();
        }
    }

    void run(int port, ClientOutput out) throws InterruptedException {
        ClientCrowd.run(n, port, READ_TIMEOUT_MILLIS, (id, c) -> misbehave(id, c, port), count -> {
            out.line("connected " + count);
            endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            out.line("holding");
        }, errors, Duration.ofSeconds(seconds + 120L));
        for (int i = 0; i < ACTIONS.length; i++) {
            out.stat(ACTIONS[i], done[i].sum());
        }
        out.stat("connects", connects.sum());
        out.stat("verified", verified.sum());
        out.errors(errors);
    }

    private void misbehave(int id, ClientConnection first, int port) throws InterruptedException {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + id);
        ClientConnection c = first;
        long seq = 0;
        try {
            while (System.nanoTime() - endNanos < 0) {
                if (c == null) {
                    try {
                        c = ClientConnection.open(port, READ_TIMEOUT_MILLIS);
                        connects.increment();
                    } catch (IOException e) {
                        errors.add("connect", e.toString());
                        Thread.sleep(100);
                        continue;
                    }
                }
                int roll = rnd.nextInt(100);
                int action = 0;
                while (roll >= CUMULATIVE[action]) {
                    action++;
                }
                try {
                    boolean keep = act(action, c, id, seq, rnd);
                    seq += 64; // room for the frames one action sends
                    done[action].increment();
                    if (!keep) {
                        c = null;
                    }
                } catch (IOException e) {
                    if (!(e instanceof Mismatch)) {
                        errors.add(ACTIONS[action] + " " + e.getClass().getSimpleName(), "connection " + id + ": " + e.getMessage());
                    }
                    ClientCrowd.closeQuietly(c);
                    c = null;
                }
                Thread.sleep(rnd.nextInt(PAUSE_MAX_MILLIS + 1));
            }
        } finally {
            ClientCrowd.closeQuietly(c);
        }
    }

    /** Does one action; returns false if it ended the connection. */
    private boolean act(int action, ClientConnection c, int id, long seq, SplittableRandom rnd) throws IOException, InterruptedException {
        switch (ACTIONS[action]) {
            case "exchange" -> check(c.exchange(SMALL, id, seq));
            case "rst" -> {
                c.reset();
                return false;
            }
            case "rst_mid_frame" -> {
                int len = 1 + rnd.nextInt(LARGE);
                c.sendRaw(c.frame(len, id, seq), 0, Frame.HEADER + len / 2);
                c.reset();
                return false;
            }
            case "half_close" -> {
                c.send(SMALL, id, seq);
                c.socket.shutdownOutput();
                check(c.receive(SMALL, id, seq));
                if (c.read() != -1) {
                    errors.add("half_close", "connection " + id + ": bytes after the echo instead of the server's end of stream");
                }
                c.close();
                return false;
            }
            case "stall_read" -> stallRead(c, id, seq, rnd);
            case "stall_write" -> {
                int len = 1 + rnd.nextInt(LARGE);
                byte[] frame = c.frame(len, id, seq);
                int half = Frame.HEADER + len / 2;
                c.sendRaw(frame, 0, half);
                Thread.sleep(stall(rnd));
                c.sendRaw(frame, half, Frame.HEADER + len - half);
                check(c.receive(len, id, seq));
            }
            case "idle" -> Thread.sleep(stall(rnd));
            default -> throw new IllegalStateException(ACTIONS[action]);
        }
        return true;
    }

    /**
     * Sends 4 to 16 large frames from a second thread while this one does not read for a
     * stall, then reads and checks every echo. The sender may block meanwhile (the server
     * blocks writing echoes nobody reads, and stops reading): that is the point.
     */
    private void stallRead(ClientConnection c, int id, long seq, SplittableRandom rnd) throws IOException, InterruptedException {
        int frames = 4 + rnd.nextInt(13);
        int[] lens = new int[frames];
        for (int i = 0; i < frames; i++) {
            lens[i] = 1 + rnd.nextInt(LARGE);
        }
        AtomicReference<IOException> sendError = new AtomicReference<>();
        // The sender has a buffer of its own: the connection's is this thread's to read with.
        Thread sender = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[Frame.HEADER + LARGE];
            try {
                for (int i = 0; i < frames; i++) {
                    Frame.encode(buf, lens[i], id, seq + i);
                    c.sendRaw(buf, 0, Frame.HEADER + lens[i]);
                }
            } catch (IOException e) {
                sendError.set(e);
            }
        });
        try {
            Thread.sleep(stall(rnd));
            for (int i = 0; i < frames; i++) {
                check(c.receive(lens[i], id, seq + i));
            }
        } finally {
            if (!sender.join(Duration.ofMillis(READ_TIMEOUT_MILLIS))) {
                c.close(); // unblocks the sender; the join below then returns at once
                sender.join();
                errors.add("stall_read", "connection " + id + ": the sender was still blocked after every echo arrived");
            }
        }
        if (sendError.get() != null) {
            throw sendError.get();
        }
    }

    /** Counts a checked frame; a mismatch is counted as an error and ends the connection, whose stream can no longer be trusted. */
    private void check(String bad) throws Mismatch {
        if (bad != null) {
            errors.add("verification", bad);
            throw new Mismatch(bad);
        }
        verified.increment();
    }

    /** A frame that did not match; already counted. */
    private static final class Mismatch extends IOException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    private static long stall(SplittableRandom rnd) {
        return STALL_MIN_MILLIS + rnd.nextInt(STALL_MAX_MILLIS - STALL_MIN_MILLIS + 1);
    }
}
