package io.weft.cli;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.TcpListener;
import io.weft.net.TcpStream;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against servers that misbehave on purpose: what it counts must be what happened. */
class EchoClientTest {

    private static final int SIZE = 100;

    /** Messages the corrupting server has echoed. */
    private final AtomicInteger echoed = new AtomicInteger();

    /** Echoes, but flips one bit of every third message's byte 42. */
    private void corruptingEcho(TcpStream conn) throws Exception {
        byte[] msg = new byte[SIZE];
        try (conn) {
            for (int i = 0; ; i++) {
                if (conn.read(msg, 0, 1) < 0) {
                    return;
                }
                conn.readFully(msg, 1, SIZE - 1, Deadline.NONE);
                if (i % 3 == 0) {
                    msg[42] ^= 0x10;
                }
                conn.writeAll(msg);
                echoed.incrementAndGet();
            }
        }
    }

    /** Echoes two messages and half of a third, then closes. */
    private static void quittingEcho(TcpStream conn) throws Exception {
        byte[] msg = new byte[SIZE];
        try (conn) {
            for (int i = 0; i < 2; i++) {
                conn.readFully(msg);
                conn.writeAll(msg);
            }
            conn.readFully(msg);
            conn.writeAll(msg, 0, SIZE / 2, Deadline.NONE);
        }
    }

    private interface Server {
        void serve(TcpStream conn) throws Exception;
    }

    /** Runs one client against {@code server} until {@code stop} is true (at most 30 s). */
    private static EchoClient.Result runAgainst(Server server, BooleanSupplier stop) throws Exception {
        try (Runtime rt = Runtime.builder().backend("nio").loops(1).build()) {
            Task<EchoClient.Result> t = rt.spawn(() -> {
                try (TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
                    Task<Void> s = Weft.spawn(() -> server.serve(l.accept()));
                    EchoClient c = new EchoClient(7, l.localAddress(), SIZE, stop, Deadline.after(Duration.ofSeconds(30)),
                            new Recorder[] {new Recorder(EchoClient.LATENCY_CAP_NANOS, 3)}, new LongAdder());
                    EchoClient.Result r = c.call();
                    s.join();
                    return r;
                }
            });
            return t.join();
        }
    }

    @Test
    void countsEveryCorruptedEchoAndSaysWhere() throws Exception {
        // The client checks before each message; it has completed every message the server
        // echoed, so it stops after at least 9.
        EchoClient.Result r = runAgainst(this::corruptingEcho, () -> echoed.get() >= 9);
        assertNull(r.failure());
        assertTrue(r.messages() >= 9, "messages: " + r.messages());
        assertEquals((r.messages() + 2) / 3, r.mismatches());
        assertTrue(r.firstMismatch().startsWith("connection 7, message 0, byte 42: sent 0x"), r.firstMismatch());
    }

    @Test
    void aServerThatQuitsMidMessageFailsTheClientAndKeepsItsCounts() throws Exception {
        EchoClient.Result r = runAgainst(EchoClientTest::quittingEcho, () -> false);
        assertEquals(2, r.messages());
        assertEquals(0, r.mismatches());
        assertInstanceOf(EOFException.class, r.failure());
        assertTrue(r.failure().getMessage().contains("after echoing 50 of 100 bytes"), r.failure().getMessage());
    }

    @Test
    void everyMessageHasItsOwnPattern() {
        Set<String> seen = new HashSet<>();
        byte[] buf = new byte[13]; // not a multiple of 8: the tail is filled too
        for (int conn = 0; conn < 50; conn++) {
            for (long seq = 0; seq < 50; seq++) {
                Payload.fill(buf, conn, seq);
                assertTrue(seen.add(Arrays.toString(buf)), "pattern repeated at connection " + conn + ", message " + seq);
            }
        }
        byte[] again = new byte[13];
        Payload.fill(again, 49, 49);
        assertTrue(Arrays.equals(buf, again), "the same message must give the same bytes");
        assertFalse(Arrays.equals(new byte[13], again));
    }
}
