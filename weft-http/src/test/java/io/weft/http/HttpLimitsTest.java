package io.weft.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each limit answered with its status over a real connection, then the connection closed;
 * and the timeouts that cut off idle and slow (slowloris) clients.
 */
@Timeout(60)
class HttpLimitsTest {

    private static ServerFixture server() throws Exception {
        return new ServerFixture(HttpServerTest.router(), b -> b
                .maxRequestLineLength(100).maxHeaderSize(300).maxHeaderCount(5).maxBodySize(1000));
    }

    private static void expect(ServerFixture f, String request, int status) throws IOException {
        try (RawClient c = f.client()) {
            RawClient.Response r = c.send(request).read();
            assertEquals(status, r.status(), () -> "for " + request.replace("\r\n", "\\r\\n") + ": " + r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void requestLineTooLongIs414() throws Exception {
        try (ServerFixture f = server()) {
            expect(f, "GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
            // also before the line is complete: the server does not wait for the rest
            try (RawClient c = f.client()) {
                assertEquals(414, c.send("GET /" + "a".repeat(200)).read().status());
            }
        }
    }

    @Test
    void headerFieldsTooLargeOrTooManyAre431() throws Exception {
        try (ServerFixture f = server()) {
            expect(f, "GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(400) + "\r\n\r\n", 431);
            expect(f, "GET /plaintext HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 431);
            try (RawClient c = f.client()) { // unfinished, already too large
                assertEquals(431, c.send("GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(100)).read().status());
            }
        }
    }

    @Test
    void bodyTooLargeIs413() throws Exception {
        try (ServerFixture f = server()) {
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413);
            String chunks = "100\r\n" + "x".repeat(256) + "\r\n";
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks.repeat(4) + "0\r\n\r\n", 413);
        }
    }

    @Test
    void malformedRequestsAre400() throws Exception {
        try (ServerFixture f = server()) {
            expect(f, "GET /plaintext HTTP/1.1\r\n\r\n", 400); // no Host
            expect(f, "GET /plaintext HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n", 400);
            expect(f, "GET  /plaintext HTTP/1.1\r\nHost: t\r\n\r\n", 400);
            expect(f, "GET /plaintext HTTP/1.1\r\nHost : t\r\n\r\n", 400);
            expect(f, "GET /plaintext HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n", 400);
            expect(f, "GET /plaintext HTTP/1.1\rHost: t\r\n\r\n", 400);
            expect(f, "GET /plaintext HTTP/1.1\r\nHost: t\u0001\r\n\r\n", 400);
            expect(f, "GET /plaintext HTTX/1.1\r\nHost: t\r\n\r\n", 400);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n", 400);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400);
        }
    }

    /** The request that a lenient chunk-size reader answers twice: 0x2d read as the last chunk, the rest as a request. */
    static final String SMUGGLING = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0x2d\r\nX: y\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: smuggled\r\n\r\n\r\n0\r\n\r\n";

    @Test
    void aChunkSizeWithJunkAfterTheDigitsIs400AndClosesNeverTwoResponses() throws Exception {
        try (ServerFixture f = server()) {
            expect(f, SMUGGLING, 400);
            // a handler that never reads the body answers first; the bad size then ends the
            // connection while the server drops the body, and the smuggled request is not served
            try (RawClient c = f.client()) {
                RawClient.Response r = c.send(SMUGGLING.replace("/echo", "/ignore")).read();
                assertEquals("ignored", r.text());
                assertTrue(c.closedByServer(), "no second response");
            }
        }
    }

    @Test
    void trailersAreCheckedBoundedAndNeverFrameTheRequest() throws Exception {
        String head = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n";
        try (ServerFixture f = server()) {
            expect(f, head + "Content-Length: 3\r\n\r\n", 400);
            expect(f, head + "Transfer-Encoding: chunked\r\n\r\n", 400);
            expect(f, head + "Host: elsewhere\r\n\r\n", 400);
            expect(f, head + "X-Bad: a\u0001\r\n\r\n", 400);
            expect(f, head + " folded\r\n\r\n", 400);
            expect(f, head + ("X-Big: " + "b".repeat(100) + "\r\n").repeat(4) + "\r\n", 431);
            expect(f, head + "X: 1\r\n".repeat(6) + "\r\n", 431);
            try (RawClient c = f.client()) { // an allowed trailer is dropped, and the connection kept
                assertEquals("abc", c.send(head + "X-Checksum: 1\r\n\r\n").read().text());
                assertEquals(200, c.send(HttpServerTest.GET_PLAIN).read().status());
            }
        }
    }

    @Test
    void chunkedBodiesTakeBareLineFeedsLikeTheHeadButNoBareCarriageReturn() throws Exception {
        try (ServerFixture f = server()) {
            try (RawClient c = f.client()) {
                String bareLf = "POST /echo HTTP/1.1\nHost: t\nTransfer-Encoding: chunked\n\n3;x=y\nabc\n2\nde\n0\nX: 1\n\n";
                assertEquals("abcde", c.send(bareLf).read().text());
                assertEquals(200, c.send(HttpServerTest.GET_PLAIN).read().status());
            }
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n0\r\n\r\n", 400);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\r\n0\r\n\r\n", 400);
        }
    }

    @Test
    void otherVersionsAre505AndUnknownCodingsAre501() throws Exception {
        try (ServerFixture f = server()) {
            expect(f, "GET /plaintext HTTP/2.0\r\nHost: t\r\n\r\n", 505);
            expect(f, "GET /plaintext HTTP/1.2\r\nHost: t\r\n\r\n", 505);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
            expect(f, "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\n\r\n", 417);
        }
    }

    @Test
    void slowlorisIsCutOffWith408() throws Exception {
        try (ServerFixture f = new ServerFixture(HttpServerTest.router(), b -> b.readTimeout(Duration.ofMillis(300)));
             RawClient c = f.client()) {
            long t0 = System.nanoTime();
            String head = "GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Slow: ";
            c.send(head);
            // keep sending a byte every 50 ms: each read succeeds, but the head never completes
            RawClient.Response r = null;
            for (int i = 0; i < 100 && r == null; i++) {
                Thread.sleep(50);
                try {
                    c.send("a");
                } catch (IOException closed) {
                    break;
                }
                if (System.nanoTime() - t0 > Duration.ofMillis(600).toNanos()) {
                    r = c.read();
                }
            }
            if (r == null) {
                r = c.read();
            }
            assertEquals(408, r.status());
            assertTrue(c.closedByServer());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "cut off within the read timeout, not later");
        }
    }

    @Test
    void slowBodyIs408() throws Exception {
        try (ServerFixture f = new ServerFixture(HttpServerTest.router(), b -> b.readTimeout(Duration.ofMillis(200)));
             RawClient c = f.client()) {
            RawClient.Response r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc").read();
            assertEquals(408, r.status());
            assertTrue(c.closedByServer());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void idleConnectionIsClosedSilently(String backend) throws Exception {
        try (ServerFixture f = new ServerFixture(backend, HttpServerTest.router(), b -> b.idleTimeout(Duration.ofMillis(200)));
             RawClient c = f.client()) {
            assertEquals(200, c.send(HttpServerTest.GET_PLAIN).read().status());
            long t0 = System.nanoTime();
            assertTrue(c.closedByServer(), "closed without a response");
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
            assertEquals(0, awaitNoConnections(f));
        }
    }

    @Test
    void aClientThatDoesNotTakeItsResponseIsCutOffAfterTheWriteTimeout() throws Exception {
        java.util.concurrent.CompletableFuture<Throwable> handlerSaw = new java.util.concurrent.CompletableFuture<>();
        Router r = ServerFixture.floodRouter(handlerSaw);
        try (ServerFixture f = new ServerFixture(r, b -> b.writeTimeout(Duration.ofMillis(300))); RawClient c = f.client()) {
            c.send("GET /flood HTTP/1.1\r\nHost: t\r\n\r\n"); // and never read
            Throwable seen = handlerSaw.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(seen instanceof IOException, "the handler's write failed: " + seen);
            assertEquals(0, awaitNoConnections(f));
        }
    }

    static int awaitNoConnections(ServerFixture f) throws InterruptedException {
        for (int i = 0; i < 200 && f.server.openConnections() > 0; i++) {
            Thread.sleep(10);
        }
        return f.server.openConnections();
    }
}
