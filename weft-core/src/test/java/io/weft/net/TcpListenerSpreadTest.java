package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TcpListener.serve spreads connections over every loop, on every backend and with both
 * spreads; closing the listener ends serving and closes every per-loop socket.
 */
@Timeout(120)
class TcpListenerSpreadTest {

    private static final int CONNECTIONS = 32;

    static Stream<Arguments> cases() {
        return TcpConformanceTest.backends().flatMap(b ->
                Arrays.stream(TcpListener.Spread.values()).map(s -> Arguments.of(b, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void connectionsSpreadOverEveryLoopAndCloseEndsServing(String backend, TcpListener.Spread spread) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            int loops = Weft.runtime().loopCount();
            AtomicIntegerArray served = new AtomicIntegerArray(loops);
            TcpListener listener = TcpListener.builder().spread(spread).bind(TcpConformanceTest.LOOPBACK);
            InetSocketAddress address = listener.localAddress();
            assertEquals(spread, listener.spread());
            Task<Void> server = Weft.spawn(() -> listener.serve(conn -> {
                served.incrementAndGet(Task.current().loopIndex());
                conn.writeAll(new byte[]{1}, 0, 1, Deadline.after(Duration.ofSeconds(10)));
            }));
            for (int i = 0; i < CONNECTIONS; i++) {
                try (TcpStream c = TcpStream.connect(address, Duration.ofSeconds(10))) {
                    byte[] one = new byte[1];
                    c.readFully(one, Deadline.after(Duration.ofSeconds(10)));
                    assertEquals(1, one[0]);
                }
            }
            int total = 0;
            for (int i = 0; i < loops; i++) {
                total += served.get(i);
                assertTrue(served.get(i) >= 1, "loop " + i + " served a connection: " + served);
                if (spread == TcpListener.Spread.HAND_OFF) {
                    assertEquals(CONNECTIONS / loops, served.get(i), "hand-off takes the loops in turn: " + served);
                }
            }
            assertEquals(CONNECTIONS, total, "every connection was served once: " + served);

            listener.close();
            assertNull(server.join(Duration.ofSeconds(30)), "serve returned once the listener was closed");
            assertNoListenerOn(address);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.weft.net.TcpConformanceTest#backends")
    void reusePortStartsEachConnectionOnTheLoopThatAcceptedItOnOnePort(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            int loops = Weft.runtime().loopCount();
            AtomicIntegerArray accepted = new AtomicIntegerArray(loops);
            AtomicReference<String> mismatch = new AtomicReference<>();
            TcpListener listener = TcpListener.builder().spread(TcpListener.Spread.REUSE_PORT)
                    .bind(TcpConformanceTest.LOOPBACK);
            InetSocketAddress address = listener.localAddress();
            assertTrue(address.getPort() > 0, "port 0 became a real port: " + address);
            Task<Void> server = Weft.spawn(() -> listener.runAcceptors(acceptor -> {
                if (Task.current().loopIndex() != acceptor.loopIndex()) {
                    mismatch.set("acceptor for loop " + acceptor.loopIndex() + " runs on " + Task.current().loopIndex());
                }
                while (true) {
                    TcpStream conn;
                    try {
                        conn = acceptor.accept();
                    } catch (SocketException closed) {
                        return;
                    }
                    assertEquals(address, conn.localAddress(), "every per-loop socket listens on the bound port");
                    acceptor.start(() -> {
                        try (conn) {
                            if (Task.current().loopIndex() != acceptor.loopIndex()) {
                                mismatch.set("connection accepted on loop " + acceptor.loopIndex()
                                        + " started on " + Task.current().loopIndex());
                            }
                            accepted.incrementAndGet(acceptor.loopIndex());
                            conn.writeAll(new byte[]{2}, 0, 1, Deadline.after(Duration.ofSeconds(10)));
                        }
                    });
                }
            }));
            for (int i = 0; i < CONNECTIONS; i++) {
                try (TcpStream c = TcpStream.connect(address, Duration.ofSeconds(10))) {
                    byte[] one = new byte[1];
                    c.readFully(one, Deadline.after(Duration.ofSeconds(10)));
                    assertEquals(2, one[0]);
                }
            }
            for (int i = 0; i < loops; i++) {
                assertTrue(accepted.get(i) >= 1, "the socket of loop " + i + " took a connection: " + accepted);
            }
            assertNull(mismatch.get(), mismatch.get());
            listener.close();
            assertNull(server.join(Duration.ofSeconds(30)), "every acceptor woke and ended when the listener closed");
            assertNoListenerOn(address);
            assertTrue(listener.isClosed());
            assertThrows(IllegalStateException.class, () -> listener.serve(conn -> { }), "a listener serves once");
        });
    }

    /**
     * No socket of the listener outlives it: connecting is refused, at the latest once the
     * backend has finished closing (io_uring releases a socket after its pending accept is
     * cancelled, just after close returns).
     */
    private static void assertNoListenerOn(InetSocketAddress address) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                TcpStream.connect(address, Duration.ofSeconds(10)).close();
            } catch (ConnectException refused) {
                return;
            } catch (IOException e) {
                throw new AssertionError("connect to " + address + " failed otherwise than refused", e);
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("something still listens on " + address + " after the listener closed");
            }
            Weft.sleep(Duration.ofMillis(5));
        }
    }

    /** A failure in one acceptor closes the listener, so the others end instead of stranding their sockets. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.weft.net.TcpConformanceTest#backends")
    void oneAcceptorFailingEndsThemAll(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            TcpListener listener = TcpListener.builder().spread(TcpListener.Spread.REUSE_PORT)
                    .bind(TcpConformanceTest.LOOPBACK);
            IOException thrown = assertThrows(IOException.class, () -> listener.runAcceptors(acceptor -> {
                if (acceptor.loopIndex() == 0) {
                    throw new IOException("acceptor 0 gives up");
                }
                acceptor.accept(); // the others wait here until the listener closes
            }));
            assertEquals("acceptor 0 gives up", thrown.getMessage());
            assertTrue(listener.isClosed(), "the listener was closed");
        });
    }
}
