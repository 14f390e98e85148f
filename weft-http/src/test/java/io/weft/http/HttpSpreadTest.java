package io.weft.http;

import io.weft.Runtime;
import io.weft.Task;
import io.weft.net.TcpListener;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's connections spread over every loop of its runtime, on every backend and with both spreads. */
@Timeout(120)
class HttpSpreadTest {

    private static final int CONNECTIONS = 32;

    static Stream<Arguments> cases() {
        return backends().flatMap(b ->
                Arrays.stream(TcpListener.Spread.values()).map(s -> Arguments.of(b, s)));
    }

    private static Runtime runtime(String backend) {
        try {
            return Runtime.builder().backend(backend).loops(2).name("http-spread").build();
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("backend " + backend + " is unavailable here: " + e.getMessage());
            throw e;
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyLoopServesConnections(String backend, TcpListener.Spread spread) throws Exception {
        Runtime rt = runtime(backend);
        AtomicIntegerArray served = new AtomicIntegerArray(rt.loopCount());
        Handler handler = (req, res) -> {
            served.incrementAndGet(Task.current().loopIndex());
            res.contentType("text/plain").send("ok");
        };
        try {
            HttpServer server = HttpServer.builder().address("127.0.0.1", 0).handler(handler).spread(spread)
                    .build().start(rt);
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    try (RawClient c = new RawClient(server.localAddress())) {
                        c.soTimeout(10_000);
                        RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
                        assertEquals(200, r.status());
                    }
                }
            } finally {
                assertTrue(server.shutdown(Duration.ofSeconds(5)), "every connection ended within the grace");
            }
            int total = 0;
            for (int i = 0; i < served.length(); i++) {
                assertTrue(served.get(i) >= 1, "loop " + i + " served a connection: " + served);
                total += served.get(i);
            }
            assertEquals(CONNECTIONS, total, "every request was served once: " + served);
        } finally {
            rt.shutdown(Duration.ofSeconds(1));
        }
    }

    /**
     * With an acceptor per loop the cap still counts connections, not acceptors: the server
     * serves exactly {@code CAP} at once, whichever loops' sockets they reach, and the next
     * waits until one closes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void perLoopAcceptorsServeUpToTheCapAndNoMore(String backend) throws Exception {
        int cap = 2;
        Runtime rt = runtime(backend);
        try {
            HttpServer server = HttpServer.builder().address("127.0.0.1", 0).handler(HttpServerTest.router())
                    .spread(TcpListener.Spread.REUSE_PORT).maxConnections(cap).build().start(rt);
            RawClient[] served = new RawClient[cap];
            try {
                for (int i = 0; i < cap; i++) {
                    served[i] = new RawClient(server.localAddress());
                    served[i].soTimeout(10_000);
                    assertEquals(200, served[i].send(HttpServerTest.GET_PLAIN).read().status(), "connection " + i + " is served");
                }
                try (RawClient waiting = new RawClient(server.localAddress())) {
                    waiting.send(HttpServerTest.GET_PLAIN);
                    awaitTrue(server::waitingAtCap, "an acceptor holds the connection past the cap");
                    waiting.soTimeout(300);
                    assertThrows(java.net.SocketTimeoutException.class, waiting::read, "not served while at the cap");
                    assertEquals(cap, server.openConnections());
                    served[0].close();
                    waiting.soTimeout(10_000);
                    assertEquals("Hello, World!", waiting.read().text(), "served once a connection closed");
                    assertEquals(200, served[1].send(HttpServerTest.GET_PLAIN).read().status(), "the other is still served");
                }
            } finally {
                for (RawClient c : served) {
                    if (c != null) {
                        c.close();
                    }
                }
                server.shutdown(Duration.ofSeconds(5));
            }
        } finally {
            rt.shutdown(Duration.ofSeconds(1));
        }
    }

    static Stream<String> backends() {
        return Stream.of("io_uring", "epoll", "nio");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(2);
        }
    }
}
