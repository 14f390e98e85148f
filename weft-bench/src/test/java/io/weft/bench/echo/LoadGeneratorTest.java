package io.weft.bench.echo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against small in-process servers: one that echoes, one that corrupts. */
class LoadGeneratorTest {

    private final List<AutoCloseable> open = new ArrayList<>();

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
                    Thread.ofPlatform().daemon(true).start(() -> echo(s, corruptEvery));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
    }

    private static void echo(Socket s, int corruptEvery) {
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
        try (LoadGenerator lg = new LoadGenerator(server(0), 4, 64, 1)) {
            lg.connect();
            LoadGenerator.PhaseStats s = lg.paced(2000, TimeUnit.MILLISECONDS.toNanos(500), LoadGenerator.Window.NONE);
            // 2000/s for 0.5 s: about 1000 fall due (the count is exact up to the last tick)
            assertTrue(s.offered() >= 900 && s.offered() <= 1100, "offered " + s.offered());
            assertTrue(s.ops() > 0);
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
