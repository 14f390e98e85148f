package io.weft.net;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Scope;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.ThrowingRunnable;
import io.weft.Weft;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.weft.TestSupport.awaitParked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The TCP behaviour every backend must have, written once and run on each backend this
 * machine offers; a backend that cannot run here is skipped with the reason.
 */
@Timeout(120)
class TcpConformanceTest {

    static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    static Stream<String> backends() {
        return Stream.of("io_uring", "epoll", "nio");
    }

    /** Runs {@code body} as the main task of a 2-loop runtime on {@code backend}, or skips. */
    static void on(String backend, ThrowingRunnable body) throws Exception {
        TestSupport.onBackend(backend, body);
    }

    /**
     * A deadline on socket I/O reads as the JDK's does ("Read timed out", "Write timed out",
     * "Connect timed out", "Accept timed out"), whether the backend enforces it itself
     * (io_uring) or the loop's timer cancels the op; never as the kernel's "Connection timed
     * out (ETIMEDOUT)", which means a dead connection. The message also names the address.
     */
    static void assertJdkTimeoutWording(String word, SocketTimeoutException e, int port) {
        String m = String.valueOf(e.getMessage());
        assertTrue(m.startsWith(word + " timed out: ") && m.contains(":" + port) && !m.contains("ETIMEDOUT"),
                "'" + word + " timed out: ...', naming port " + port + ": " + m);
    }

    /** A server that echoes every connection until end of stream, spread over the loops. */
    static Task<Void> echoServer(TcpListener listener) {
        return Weft.spawn(() -> {
            try (Scope conns = Scope.open()) {
                while (true) {
                    TcpStream s;
                    try {
                        s = listener.accept();
                    } catch (SocketException closed) {
                        break;
                    }
                    conns.spawn(() -> {
                        try (s) {
                            byte[] buf = new byte[16384];
                            int n;
                            while ((n = s.read(buf)) > 0) {
                                s.writeAll(buf, 0, n, Deadline.NONE);
                            }
                        }
                    });
                }
                conns.cancel();
            }
        });
    }

    static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void echoesPayloadsFromOneByteToOneMiBInEveryBufferKind(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<Void> server = echoServer(l);
                try (TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5));
                     Arena arena = Arena.ofShared()) {
                    for (int size : new int[] {1, 7, 100, 4096, 65_536, 1 << 20}) {
                        byte[] out = pattern(size, size);
                        // byte[]
                        Task<Void> writer = Weft.spawn(() -> c.writeAll(out));
                        byte[] in = new byte[size];
                        c.readFully(in);
                        writer.join();
                        assertArrayEquals(out, in, "byte[] echo of " + size);
                        // heap ByteBuffer out, direct ByteBuffer in
                        writer = Weft.spawn(() -> c.writeAll(ByteBuffer.wrap(out)));
                        ByteBuffer direct = ByteBuffer.allocateDirect(size);
                        c.readFully(direct, Deadline.after(Duration.ofSeconds(10)));
                        writer.join();
                        direct.flip();
                        byte[] back = new byte[size];
                        direct.get(back);
                        assertArrayEquals(out, back, "ByteBuffer echo of " + size);
                        // native MemorySegment both ways
                        MemorySegment src = arena.allocate(size);
                        MemorySegment.copy(out, 0, src, ValueLayout.JAVA_BYTE, 0, size);
                        writer = Weft.spawn(() -> c.writeAll(src));
                        MemorySegment dst = arena.allocate(size);
                        long got = 0;
                        while (got < size) {
                            int n = c.read(dst.asSlice(got));
                            assertTrue(n > 0, "no early end of stream");
                            got += n;
                        }
                        writer.join();
                        assertArrayEquals(out, dst.toArray(ValueLayout.JAVA_BYTE), "MemorySegment echo of " + size);
                    }
                }
                l.close();
                server.join(Duration.ofSeconds(60));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void servesManyConcurrentConnections(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<Void> server = echoServer(l);
                AtomicLong verified = new AtomicLong();
                int connections = 200;
                int messages = 20;
                try (Scope clients = Scope.open().withTimeout(Duration.ofSeconds(60))) {
                    for (int i = 0; i < connections; i++) {
                        int id = i;
                        clients.spawn(() -> {
                            try (TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(10))) {
                                for (int m = 0; m < messages; m++) {
                                    byte[] msg = pattern(64, id * 1000L + m);
                                    c.writeAll(msg);
                                    byte[] back = new byte[64];
                                    c.readFully(back);
                                    assertArrayEquals(msg, back);
                                    verified.incrementAndGet();
                                }
                            }
                        });
                    }
                    clients.join();
                }
                assertEquals((long) connections * messages, verified.get());
                l.close();
                server.join(Duration.ofSeconds(60));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void halfCloseDeliversEndOfStreamAndKeepsTheOtherDirection(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<Void> server = Weft.spawn(() -> {
                    try (TcpStream s = l.accept()) {
                        byte[] all = s.inputStream().readAllBytes(); // to the client's FIN
                        s.writeAll(("got " + all.length).getBytes());
                    }
                });
                try (TcpStream c = TcpStream.connect(l.localAddress())) {
                    c.writeAll(new byte[1000]);
                    c.shutdownOutput();
                    assertArrayEquals("got 1000".getBytes(), c.inputStream().readAllBytes());
                    assertEquals(-1, c.read(new byte[1]), "end of stream stays end of stream");
                }
                server.join(Duration.ofSeconds(60));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void shutdownInputEndsReadsAndAClosedStreamRefusesShutdown(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<TcpStream> accepted = Weft.spawn(() -> l.accept());
                TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5));
                try (TcpStream s = accepted.join()) {
                    c.shutdownInput();
                    assertEquals(-1, c.read(new byte[8], 0, 8, Deadline.after(Duration.ofSeconds(5))),
                            "a read after shutdownInput sees end of stream");
                    c.writeAll("still open".getBytes());
                    byte[] b = new byte[10];
                    s.readFully(b, Deadline.after(Duration.ofSeconds(5)));
                    assertArrayEquals("still open".getBytes(), b, "the other direction works");
                    c.close();
                    assertThrows(SocketException.class, c::shutdownOutput);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void peerResetFailsReadsAndWrites(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<Void> server = Weft.spawn(() -> {
                    TcpStream s = l.accept();
                    s.readFully(new byte[1]); // the client is surely connected now
                    s.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
                    s.close();
                });
                try (TcpStream c = TcpStream.connect(l.localAddress())) {
                    c.writeAll(new byte[] {1});
                    server.join(Duration.ofSeconds(60));
                    IOException e = assertThrows(IOException.class, () -> {
                        byte[] b = new byte[10];
                        for (int i = 0; i < 100; i++) {
                            if (c.read(b) < 0) {
                                fail("reset must not look like an orderly end of stream");
                            }
                        }
                    });
                    assertTrue(e.getMessage().contains("ECONNRESET") || e.getMessage().contains("reset"), e.getMessage());
                    assertThrows(IOException.class, () -> {
                        for (int i = 0; i < 100; i++) {
                            c.writeAll(new byte[65536]);
                        }
                    }, "writing to a reset connection fails");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void connectRefusedNamesTheAddressAndErrno(String backend) throws Exception {
        on(backend, () -> {
            InetSocketAddress closed;
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                closed = l.localAddress();
            }
            ConnectException e = assertThrows(ConnectException.class, () -> TcpStream.connect(closed, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(closed.getPort())), e.getMessage());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void connectTimesOutAgainstAFullBacklog(String backend) throws Exception {
        on(backend, () -> {
            // A listener that never accepts, with the smallest backlog: once its queue is
            // full the kernel drops further SYNs and connect waits until its deadline.
            try (TcpListener l = TcpListener.builder().backlog(1).bind(LOOPBACK)) {
                List<TcpStream> filled = new ArrayList<>();
                SocketTimeoutException timeout = null;
                try {
                    for (int i = 0; i < 16 && timeout == null; i++) {
                        try {
                            filled.add(TcpStream.connect(l.localAddress(), Duration.ofMillis(200)));
                        } catch (SocketTimeoutException expected) {
                            timeout = expected;
                        }
                    }
                } finally {
                    for (TcpStream s : filled) {
                        s.close();
                    }
                }
                assertTrue(timeout != null, "a connect to a full backlog timed out");
                assertJdkTimeoutWording("Connect", timeout, l.localAddress().getPort());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void readAndAcceptTimeoutsLeaveTheSocketUsable(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                int port = l.localAddress().getPort();
                assertJdkTimeoutWording("Accept", assertThrows(SocketTimeoutException.class, () -> l.accept(Duration.ofMillis(30))), port);
                Task<TcpStream> accepted = Weft.spawn(() -> l.accept(Duration.ofSeconds(10)));
                try (TcpStream c = TcpStream.connect(l.localAddress());
                     TcpStream s = accepted.join()) {
                    c.setReadTimeout(Duration.ofMillis(30));
                    assertJdkTimeoutWording("Read", assertThrows(SocketTimeoutException.class, () -> c.read(new byte[10])), port);
                    assertJdkTimeoutWording("Read", assertThrows(SocketTimeoutException.class,
                            () -> c.read(new byte[10], 0, 10, Deadline.after(Duration.ofMillis(10)))), port);
                    s.writeAll("after".getBytes());
                    byte[] b = new byte[5];
                    c.readFully(b, Deadline.after(Duration.ofSeconds(10)));
                    assertArrayEquals("after".getBytes(), b, "the stream reads after timeouts");
                    c.writeAll("back".getBytes());
                    byte[] back = new byte[4];
                    s.readFully(back, Deadline.after(Duration.ofSeconds(10)));
                    assertArrayEquals("back".getBytes(), back, "the stream writes after timeouts");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void closeWakesATaskBlockedInReadOrAccept(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<TcpStream> acceptor = Weft.spawn(() -> l.accept());
                TcpStream c = TcpStream.connect(l.localAddress());
                TcpStream s = acceptor.join();
                Task<Integer> reader = Weft.spawn(() -> c.read(new byte[10]));
                awaitParked(reader.thread());
                c.close();
                var e = assertThrows(java.util.concurrent.CompletionException.class, () -> reader.join(Duration.ofSeconds(60)));
                assertTrue(e.getCause() instanceof SocketException, String.valueOf(e.getCause()));
                assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
                assertThrows(SocketException.class, () -> c.read(new byte[1]), "reads after close fail at once");
                s.close();

                Task<TcpStream> pendingAccept = Weft.spawn(() -> l.accept());
                awaitParked(pendingAccept.thread());
                l.close();
                e = assertThrows(java.util.concurrent.CompletionException.class, () -> pendingAccept.join(Duration.ofSeconds(60)));
                assertTrue(e.getCause() instanceof SocketException, String.valueOf(e.getCause()));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void cancelledReadsRacingArrivingDataLoseAndDuplicateNothing(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<TcpStream> acceptor = Weft.spawn(() -> l.accept());
                try (TcpStream c = TcpStream.connect(l.localAddress()); TcpStream s = acceptor.join()) {
                    int total = 200_000;
                    // The writer sends byte i = (i % 251) in uneven chunks, pausing now and then.
                    Task<Void> writer = Weft.spawn(() -> {
                        Random rnd = new Random(7);
                        int sent = 0;
                        while (sent < total) {
                            int n = Math.min(total - sent, 1 + rnd.nextInt(700));
                            byte[] chunk = new byte[n];
                            for (int i = 0; i < n; i++) {
                                chunk[i] = (byte) ((sent + i) % 251);
                            }
                            s.writeAll(chunk);
                            sent += n;
                            if (rnd.nextInt(3) == 0) {
                                Weft.sleep(Duration.ofNanos(1 + rnd.nextInt(200_000)));
                            }
                        }
                    });
                    Random rnd = new Random(11);
                    int received = 0;
                    int cancelled = 0;
                    int timedOut = 0;
                    while (received < total) {
                        byte[] buf = new byte[1 + rnd.nextInt(1500)];
                        int choice = rnd.nextInt(3);
                        int n;
                        if (choice == 0) {
                            // A reader task cancelled at a random moment.
                            Task<Integer> r = Weft.spawnLocal(() -> c.read(buf));
                            if (rnd.nextBoolean()) {
                                Thread.yield();
                            }
                            r.cancel();
                            try {
                                n = r.join();
                            } catch (CancellationException e) {
                                cancelled++;
                                continue;
                            }
                        } else if (choice == 1) {
                            // A read with a deadline that may pass.
                            try {
                                n = c.read(buf, 0, buf.length, Deadline.after(Duration.ofNanos(rnd.nextInt(300_000))));
                            } catch (SocketTimeoutException e) {
                                timedOut++;
                                continue;
                            }
                        } else {
                            n = c.read(buf);
                        }
                        assertTrue(n > 0, "no end of stream before all bytes");
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != (byte) ((received + i) % 251)) {
                                fail("byte " + (received + i) + " is wrong: a read lost or repeated data");
                            }
                        }
                        received += n;
                    }
                    writer.join(Duration.ofSeconds(30));
                    assertEquals(total, received);
                    c.setReadTimeout(Duration.ofMillis(50));
                    assertThrows(SocketTimeoutException.class, () -> c.read(new byte[1]), "nothing extra arrived");
                    assertTrue(cancelled + timedOut > 0, "the race was exercised: " + cancelled + " cancelled, " + timedOut + " timed out");
                }
            }
        });
    }

    /** Heap, direct and mixed buffer arrays; more than one call's worth of buffers. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void gatheringWritesAndScatteringReadsKeepOrderAndAdvancePositions(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<Void> server = echoServer(l);
                try (TcpStream c = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5))) {
                    for (String kind : new String[] {"heap", "direct", "mixed"}) {
                        // 100 buffers of 1..300 bytes, some empty: more than 64 per call
                        Random random = new Random(kind.hashCode());
                        ByteBuffer[] out = new ByteBuffer[100];
                        int total = 0;
                        for (int i = 0; i < out.length; i++) {
                            int size = i % 17 == 0 ? 0 : 1 + random.nextInt(300);
                            boolean direct = kind.equals("direct") || (kind.equals("mixed") && i % 2 == 0);
                            out[i] = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
                            byte[] bytes = pattern(size, total);
                            out[i].put(bytes).flip();
                            total += size;
                        }
                        ByteBuffer expected = ByteBuffer.allocate(total);
                        for (ByteBuffer b : out) {
                            expected.put(b.duplicate());
                        }
                        int sent = total;
                        Task<Void> writer = Weft.spawn(() -> c.writeAll(out, Deadline.after(Duration.ofSeconds(10))));
                        ByteBuffer[] in = new ByteBuffer[37];
                        for (int i = 0; i < in.length; i++) {
                            boolean direct = kind.equals("direct") || (kind.equals("mixed") && i % 3 == 0);
                            int size = (sent + in.length - 1) / in.length;
                            in[i] = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
                        }
                        long got = 0;
                        while (got < sent) {
                            long n = c.read(in, Deadline.after(Duration.ofSeconds(10)));
                            assertTrue(n > 0, "no early end of stream");
                            got += n;
                        }
                        writer.join();
                        for (ByteBuffer b : out) {
                            assertEquals(0, b.remaining(), "writeAll consumed every buffer");
                        }
                        ByteBuffer received = ByteBuffer.allocate(sent);
                        for (ByteBuffer b : in) {
                            received.put(b.flip());
                        }
                        assertArrayEquals(expected.array(), received.array(), kind + " buffers arrive in order");
                    }
                    assertEquals(0, c.write(new ByteBuffer[] {ByteBuffer.allocate(0)}), "nothing to write");
                }
                l.close();
                server.join();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void streamAdaptersReadAndWrite(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Task<Void> server = echoServer(l);
                try (TcpStream c = TcpStream.connect(l.localAddress())) {
                    OutputStream out = c.outputStream();
                    InputStream in = c.inputStream();
                    out.write('h');
                    out.write("ello".getBytes());
                    assertEquals('h', in.read());
                    byte[] rest = new byte[4];
                    assertEquals(4, in.readNBytes(rest, 0, 4));
                    assertArrayEquals("ello".getBytes(), rest);
                    c.shutdownOutput();
                    assertEquals(-1, in.read());
                }
                l.close();
                server.join(Duration.ofSeconds(60));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void readFullyReportsAPeerThatVanishesMidMessage(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                Weft.spawn(() -> {
                    try (TcpStream s = l.accept()) {
                        s.writeAll(new byte[10]);
                    }
                });
                try (TcpStream c = TcpStream.connect(l.localAddress())) {
                    EOFException e = assertThrows(EOFException.class, () -> c.readFully(new byte[100]));
                    assertTrue(e.getMessage().contains("10 of 100"), e.getMessage());
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void bindsIpv6LoopbackWhenAvailable(String backend) throws Exception {
        on(backend, () -> {
            TcpListener l;
            try {
                l = TcpListener.bind(new InetSocketAddress("::1", 0));
            } catch (IOException e) {
                Assumptions.abort("IPv6 loopback is not configured here: " + e.getMessage());
                return;
            }
            try (l) {
                Task<Void> server = echoServer(l);
                try (TcpStream c = TcpStream.connect(l.localAddress())) {
                    c.writeAll("v6".getBytes());
                    byte[] b = new byte[2];
                    c.readFully(b);
                    assertArrayEquals("v6".getBytes(), b);
                    assertEquals(l.localAddress().getPort(), c.remoteAddress().getPort());
                }
                l.close();
                server.join(Duration.ofSeconds(60));
            }
        });
    }
}
