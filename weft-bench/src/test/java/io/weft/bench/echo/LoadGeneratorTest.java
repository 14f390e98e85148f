package io.weft.bench.echo;

import io.weft.TestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against small in-process servers: one that echoes, one that corrupts. */
class LoadGeneratorTest {

    private final List<AutoCloseable> open = new ArrayList<>();
    /** Bytes the test's servers have echoed. */
    private final AtomicLong echoedBytes = new AtomicLong();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** An echo server on platform threads; when {@code corruptEvery} > 0 it flips one byte in that many. */
    private InetSocketAddress server(int corruptEvery) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(ss);
        Thread.ofPlatform().daemon(true).start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    open.add(s);
                    s.setTcpNoDelay(true);
                    Thread.ofPlatform().daemon(true).start(() -> echo(s, corruptEvery, echoedBytes));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
    }

    private static void echo(Socket s, int corruptEvery, AtomicLong echoed) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[4096];
            long total = 0;
            int n;
            while ((n = in.read(b)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (corruptEvery > 0 && (total + i) % corruptEvery == 7) {
                        b[i] ^= 0x5a;
                    }
                }
                total += n;
                out.write(b, 0, n);
                echoed.addAndGet(n);
            }
        } catch (IOException e) {
            // the test closed the connection
        }
    }

    @Test
    void aFaithfulEchoVerifiesCleanly() throws Exception {
        try (LoadGenerator lg = new LoadGenerator(server(0), 3, 100, 4)) {
            lg.connect();
            LoadGenerator.PhaseStats s = lg.closedLoop(TimeUnit.MILLISECONDS.toNanos(300), LoadGenerator.Window.NONE);
            assertTrue(s.ops() > 0, "some round trips");
            assertEquals(0, s.mismatches());
            assertEquals(0, s.errors());
            assertEquals(s.ops(), s.latencyNanos().getTotalCount());
            assertEquals(0, lg.totalMismatches());
            assertEquals(0, lg.totalErrors());
        }
    }

    @Test
    void corruptedBytesAreCountedAsMismatches() throws Exception {
        try (LoadGenerator lg = new LoadGenerator(server(1000), 2, 64, 2)) {
            lg.connect();
            lg.closedLoop(TimeUnit.MILLISECONDS.toNanos(300), LoadGenerator.Window.NONE);
            assertTrue(lg.totalMismatches() > 0, "corruption noticed");
        }
    }

    @Test
    void aPacedPhaseOffersAboutTheRate() throws Exception {
        InetSocketAddress server = server(0);
        // The phase reads its clock once at the start and once per turn; with 250 µs a
        // reading, its turns fall at start + 250 µs * j, and the schedule is exact: at
        // 2000/s message k falls due at start + 500 µs * k, so the last turn before the end
        // (start + 499.75 ms) has seen messages 0 to 999 fall due.
        long step = TimeUnit.MICROSECONDS.toNanos(250);
        long phase = TimeUnit.MILLISECONDS.toNanos(500);
        AtomicLong time = new AtomicLong();
        AtomicLong halfway = new AtomicLong(Long.MAX_VALUE);
        LongSupplier clock = () -> {
            long now = time.addAndGet(step);
            halfway.compareAndSet(Long.MAX_VALUE, now + phase / 2);
            if (now >= halfway.get()) {
                // The second half starts once the server has echoed something, so the
                // phase sees round trips however slowly the machine runs the server.
                TestSupport.eventually("the server echoed a message", Duration.ofSeconds(30), () -> echoedBytes.get() >= 64);
            }
            return now;
        };
        try (LoadGenerator lg = new LoadGenerator(server, 4, 64, 1, clock)) {
            lg.connect();
            LoadGenerator.PhaseStats s = lg.paced(2000, phase, LoadGenerator.Window.NONE);
            assertEquals(1000, s.offered(), "messages that fell due");
            assertTrue(s.ops() > 0, "round trips completed in the phase");
            assertEquals(0, lg.totalMismatches());
            assertEquals(0, lg.totalErrors());
        }
    }

    @Test
    void aServerThatHangsUpIsAnError() throws Exception {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(ss);
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                ss.accept().close();
            } catch (IOException e) {
                // test over
            }
        });
        try (LoadGenerator lg = new LoadGenerator(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), 1, 64, 1)) {
            lg.connect();
            lg.closedLoop(TimeUnit.MILLISECONDS.toNanos(300), LoadGenerator.Window.NONE);
            assertEquals(1, lg.totalErrors());
            assertTrue(lg.errorSamples().getFirst().startsWith("connection 0:"), lg.errorSamples().toString());
        }
    }

    @Test
    void theDueTimeQueueGrowsInOrder() {
        LoadGenerator.LongQueue q = new LoadGenerator.LongQueue();
        for (int i = 0; i < 100; i++) {
            q.add(i);
            if (i % 3 == 0) {
                assertEquals(i / 3, q.poll());
            }
        }
        long expect = 34;
        while (!q.isEmpty()) {
            assertEquals(expect++, q.poll());
        }
        assertEquals(100, expect);
    }
}
