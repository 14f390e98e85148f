package io.weft.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxConnections: at the cap the server stops accepting, and accepts again when a connection closes. */
@Timeout(60)
class HttpConnectionCapTest {

    private static final int CAP = 3;

    @Test
    void atTheCapTheNextConnectionWaitsUntilOneCloses() throws Exception {
        try (ServerFixture f = new ServerFixture(HttpServerTest.router(), b -> b.maxConnections(CAP))) {
            assertEquals(CAP, f.server.maxConnections());
            RawClient[] served = new RawClient[CAP];
            try {
                for (int i = 0; i < CAP; i++) {
                    served[i] = f.client();
                    assertEquals(200, served[i].send(HttpServerTest.GET_PLAIN).read().status(), "connection " + i + " is served");
                }
                awaitTrue(f.server::waitingAtCap, "the acceptor waits at the cap");
                try (RawClient waiting = f.client()) { // the kernel completes the handshake; the server does not accept it
                    waiting.send(HttpServerTest.GET_PLAIN);
                    waiting.soTimeout(300);
                    assertThrows(java.net.SocketTimeoutException.class, waiting::read, "not served while at the cap");
                    assertEquals(CAP, f.server.openConnections());
                    assertTrue(f.server.waitingAtCap());

                    served[0].close();
                    waiting.soTimeout(10_000);
                    assertEquals("Hello, World!", waiting.read().text(), "served once a connection closed");
                    for (int i = 1; i < CAP; i++) {
                        assertEquals(200, served[i].send(HttpServerTest.GET_PLAIN).read().status(), "the others are still served");
                    }
                    awaitTrue(f.server::waitingAtCap, "at the cap again");
                }
                awaitTrue(() -> !f.server.waitingAtCap(), "accepting again once the waiting client closed");
            } finally {
                for (RawClient c : served) {
                    if (c != null) {
                        c.close();
                    }
                }
            }
        }
    }

    @Test
    void theDefaultCapComesFromTheOpenFilesLimit() {
        int cap = HttpServer.defaultMaxConnections();
        assertTrue(cap >= 16, "at least 16: " + cap);
        assertFalse(HttpServer.builder().build().maxConnections() <= 0);
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().maxConnections(0));
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (not within 10 s)");
            Thread.sleep(2);
        }
    }
}
