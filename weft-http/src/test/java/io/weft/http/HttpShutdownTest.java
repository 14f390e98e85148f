package io.weft.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graceful shutdown: requests in flight finish, idle connections close, new ones are refused; stuck ones are cut after the grace. */
@Timeout(60)
class HttpShutdownTest {

    /**
     * A handler that signals when it has started and then waits, bounded, until the test
     * lets it finish: so shutdown is certain to begin while the request is in flight.
     */
    private static Handler held(CountDownLatch started, CountDownLatch release) {
        return (req, res) -> {
            started.countDown();
            if (!release.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the handler");
            }
            res.send("done");
        };
    }

    /** Starts shutdown on another thread and returns once the server is draining. */
    private static CompletableFuture<Boolean> startShutdown(ServerFixture f) throws InterruptedException {
        CompletableFuture<Boolean> clean = CompletableFuture.supplyAsync(() -> f.server.shutdown(Duration.ofSeconds(10)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!f.server.isDraining()) {
            assertTrue(System.nanoTime() < deadline, "shutdown did not begin within 10 s");
            Thread.sleep(1);
        }
        return clean;
    }

    @Test
    void requestsInFlightFinishAndIdleConnectionsClose() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Router r = HttpServerTest.router().get("/slow", held(inHandler, release));
        ServerFixture f = new ServerFixture(r);
        try (RawClient busy = f.client(); RawClient idle = f.client()) {
            assertEquals(200, idle.send(HttpServerTest.GET_PLAIN).read().status());
            busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(inHandler.await(5, TimeUnit.SECONDS));
            CompletableFuture<Boolean> clean = startShutdown(f);
            assertTrue(idle.closedByServer(), "an idle keep-alive connection closes at once");
            assertFalse(clean.isDone(), "shutdown waits for the request in flight");
            release.countDown();
            RawClient.Response resp = busy.read();
            assertEquals(200, resp.status());
            assertEquals("done", resp.text());
            assertEquals("close", resp.header("Connection"));
            assertTrue(busy.closedByServer());
            assertTrue(clean.get(10, TimeUnit.SECONDS), "every connection ended within the grace");
            assertEquals(0, f.server.openConnections());
            assertThrows(ConnectException.class, () -> f.client().close());
        } finally {
            f.close();
        }
    }

    @Test
    void pipelinedRequestsBehindTheCurrentOneAreNotStarted() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Router r = HttpServerTest.router().get("/slow", held(inHandler, release));
        try (ServerFixture f = new ServerFixture(r); RawClient c = f.client()) {
            c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n" + HttpServerTest.GET_PLAIN);
            assertTrue(inHandler.await(5, TimeUnit.SECONDS));
            CompletableFuture<Boolean> clean = startShutdown(f);
            release.countDown();
            RawClient.Response resp = c.read();
            assertEquals("done", resp.text());
            assertEquals("close", resp.header("Connection"));
            assertTrue(c.closedByServer());
            assertTrue(clean.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aHandlerStuckPastTheGraceIsCutOff() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        Router r = HttpServerTest.router().post("/stuck", (req, res) -> {
            inHandler.countDown();
            req.bodyBytes(); // the client never sends the body
            res.send("unreachable");
        });
        try (ServerFixture f = new ServerFixture(r, b -> b.readTimeout(Duration.ZERO)); RawClient c = f.client()) {
            c.send("POST /stuck HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n");
            assertTrue(inHandler.await(5, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            assertFalse(f.server.shutdown(Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            assertEquals(0, f.server.openConnections());
            assertTrue(closedOrReset(c));
        }
    }

    private static boolean closedOrReset(RawClient c) throws IOException {
        return c.closedByServer();
    }
}
