package io.weft.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that keep a connection busy by trickling: a body sent a byte at a time, a
 * response taken a little at a time. Each read or write makes progress, so only the
 * minimum data rates and the body deadline end them. Limits are small so that each test
 * ends in a second or two; they assert what happens, not when.
 */
@Timeout(60)
class HttpSlowPeerTest {

    /** Sends a 1 MiB body's head, then a byte every 20 ms until the server answers; at most 10 s. */
    private static RawClient.Response trickleBody(ServerFixture f) throws Exception {
        try (RawClient c = f.client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!c.hasInput()) {
                assertTrue(System.nanoTime() < deadline, "the server still waits for a body trickling at 50 bytes/s after 10 s");
                try {
                    c.send("x");
                } catch (java.net.SocketException closed) {
                    break; // closed by the server: its answer, if any, is read below
                }
                Thread.sleep(20);
            }
            RawClient.Response r = c.read();
            assertTrue(c.closedByServer(), "the connection closes after the 408");
            return r;
        }
    }

    @Test
    void aBodyTricklingBelowTheMinimumRateIs408() throws Exception {
        try (ServerFixture f = new ServerFixture(HttpServerTest.router(), b -> b
                .maxBodySize(2 << 20).readTimeout(Duration.ofSeconds(30)).bodyTimeout(Duration.ZERO)
                .minRequestBodyDataRate(1000, Duration.ofMillis(300)))) {
            RawClient.Response r = trickleBody(f);
            assertEquals(408, r.status());
            assertTrue(r.text().contains("slower than 1000 bytes/s"), r.text());
            assertEquals(0, HttpLimitsTest.awaitNoConnections(f));
        }
    }

    @Test
    void aBodyNotCompleteByTheBodyTimeoutIs408() throws Exception {
        try (ServerFixture f = new ServerFixture(HttpServerTest.router(), b -> b
                .maxBodySize(2 << 20).readTimeout(Duration.ofSeconds(30)).bodyTimeout(Duration.ofMillis(500))
                .minRequestBodyDataRate(0, Duration.ZERO))) {
            RawClient.Response r = trickleBody(f);
            assertEquals(408, r.status());
            assertTrue(r.text().contains("not received within PT0.5S"), r.text());
        }
    }

    @Test
    void aBodyAtAGoodPaceIsNotCutOff() throws Exception {
        try (ServerFixture f = new ServerFixture(HttpServerTest.router(), b -> b
                .readTimeout(Duration.ofSeconds(30)).minRequestBodyDataRate(100, Duration.ofMillis(200)));
             RawClient c = f.client()) {
            // ten pieces with a pause each: slow, but far above 100 bytes/s
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
            for (int i = 0; i < 10; i++) {
                c.send("y".repeat(100));
                Thread.sleep(50);
            }
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals(1000, r.body().length);
        }
    }

    @Test
    void aClientTakingItsResponseBelowTheMinimumRateIsCutOff() throws Exception {
        CompletableFuture<Throwable> handlerSaw = new CompletableFuture<>();
        Router r = ServerFixture.floodRouter(handlerSaw);
        try (ServerFixture f = new ServerFixture(r, b -> b.writeTimeout(Duration.ofSeconds(60))
                .minResponseDataRate(20 << 20, Duration.ofMillis(200)));
             Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5000);
            s.setReceiveBufferSize(16 * 1024);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /flood HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // take 4 KiB every 20 ms (200 KiB/s, a hundredth of the minimum) until the server gives up, at most 15 s
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            boolean ended = false;
            while (!ended && System.nanoTime() < deadline && !handlerSaw.isDone()) {
                try {
                    ended = in.read(buf) < 0;
                } catch (java.net.SocketException reset) {
                    ended = true;
                }
                Thread.sleep(20);
            }
            Throwable seen = handlerSaw.get(10, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, seen, "the handler's write failed");
            assertEquals(0, HttpLimitsTest.awaitNoConnections(f));
        }
    }
}
