package io.weft.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection that has sent nothing yet costs no buffers: they come with its first byte. */
@Timeout(60)
class HttpIdleConnectionTest {

    @Test
    void aConnectionWaitingForItsFirstByteHoldsNoBuffers() throws Exception {
        try (ServerFixture f = new ServerFixture(HttpServerTest.router()); RawClient c = f.client()) {
            Connection conn = awaitIdleConnection(f);
            assertEquals(0, conn.bufferBytes(), "buffers before the first byte");
            assertEquals("Hello, World!", c.send(HttpServerTest.GET_PLAIN).read().text());
            assertEquals("Hello, World!", c.send(HttpServerTest.GET_PLAIN).read().text(), "and served as before once it speaks");
        }
    }

    /** The server's one connection, once its task waits for the first request. */
    private static Connection awaitIdleConnection(ServerFixture f) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (Connection c : f.server.connections()) {
                if (c.state.get() == Connection.IDLE) {
                    return c;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no connection waiting for its first request within 10 s");
            Thread.sleep(2);
        }
    }
}
