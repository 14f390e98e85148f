package io.weft.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What HttpResponse promises a handler and its client: no header can split the response,
 * closeConnection closes, a declared Content-Length is what the client can rely on, and a
 * handler that fails after its head went out ends that connection only.
 */
@Timeout(60)
class HttpResponseContractTest {

    private static final String GET = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

    @Test
    void headerRefusesCrLfAndControlCharactersSoNoResponseCanBeSplit() throws Exception {
        CompletableFuture<java.util.List<String>> refused = new CompletableFuture<>();
        Handler h = (req, res) -> {
            java.util.List<String> seen = new java.util.ArrayList<>();
            String[] values = {"a\r\nSet-Cookie: evil=1", "a\nSet-Cookie: evil=1", "a\rb", "nul\u0000", "bell\u0007",
                    "del\u007f", "wide\u0100"};
            for (String v : values) {
                try {
                    res.header("X-Value", v);
                } catch (IllegalArgumentException e) {
                    seen.add(v);
                }
            }
            for (String name : new String[] {"X Name", "X:Name", "X\r\nSet-Cookie", "", "Ä"}) {
                try {
                    res.header(name, "v");
                } catch (IllegalArgumentException e) {
                    seen.add(name);
                }
            }
            refused.complete(seen);
            res.header("X-Fine", "tab\tand latin-1 \u00e9").send("ok");
        };
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            RawClient.Response r = c.send(GET).read();
            assertEquals(12, refused.get(10, TimeUnit.SECONDS).size(), "every bad name and value refused: " + refused.get());
            assertEquals(200, r.status());
            assertNull(r.header("Set-Cookie"));
            assertNull(r.header("X-Value"));
            assertEquals("tab\tand latin-1 \u00e9", r.header("X-Fine"));
            assertEquals("ok", r.text());
            assertEquals(200, c.send(GET).read().status(), "the connection is still in step");
        }
    }

    @Test
    void anUncaughtBadHeaderIsA500WithoutTheInjectedField() throws Exception {
        Handler h = (req, res) -> res.header("X-Value", "a\r\nSet-Cookie: evil=1").send("unreachable");
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            RawClient.Response r = c.send(GET).read();
            assertEquals(500, r.status());
            assertNull(r.header("Set-Cookie"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void closeConnectionSaysSoAndCloses() throws Exception {
        Handler h = (req, res) -> res.closeConnection().send("bye");
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            RawClient.Response r = c.send(GET).read();
            assertEquals("bye", r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
            assertEquals(0, HttpLimitsTest.awaitNoConnections(f));
        }
    }

    @Test
    void aStreamedBodyOfExactlyTheDeclaredLengthKeepsTheConnection() throws Exception {
        Handler h = (req, res) -> {
            try (OutputStream out = res.contentLength(6).outputStream()) {
                out.write("abc".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                out.write("def".getBytes(StandardCharsets.US_ASCII));
            }
        };
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            RawClient.Response r = c.send(GET).read();
            assertEquals("6", r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            assertEquals("abcdef", r.text());
            assertEquals("abcdef", c.send(GET).read().text(), "kept alive");
        }
    }

    /**
     * Fewer bytes than declared: closing the stream throws, and the connection closes after
     * the bytes written, so the client sees a body cut short, never a next response read
     * as the rest of this one.
     */
    @Test
    void aStreamedBodyShorterThanDeclaredFailsTheHandlerAndClosesTheConnection() throws Exception {
        CompletableFuture<Throwable> handlerSaw = new CompletableFuture<>();
        Handler h = (req, res) -> {
            OutputStream out = res.contentLength(10).outputStream();
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            try {
                out.close();
                handlerSaw.complete(null);
            } catch (IOException e) {
                handlerSaw.complete(e);
                throw e;
            }
        };
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            c.send(GET + GET);
            assertThrows(EOFException.class, c::read, "the body is cut short by the close");
            Throwable seen = handlerSaw.get(10, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, seen);
            assertTrue(seen.getMessage().contains("shorter"), seen.getMessage());
            assertEquals(0, HttpLimitsTest.awaitNoConnections(f));
        }
    }

    /**
     * More bytes than declared: the write that would pass the length throws and sends none
     * of its bytes; the connection closes after the declared part.
     */
    @Test
    void aStreamedBodyLongerThanDeclaredFailsTheWriteAndClosesTheConnection() throws Exception {
        CompletableFuture<Throwable> handlerSaw = new CompletableFuture<>();
        Handler h = (req, res) -> {
            OutputStream out = res.contentLength(4).outputStream();
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            try {
                out.write("de".getBytes(StandardCharsets.US_ASCII));
                handlerSaw.complete(null);
            } catch (IOException e) {
                handlerSaw.complete(e);
                throw e;
            }
        };
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            c.send(GET + GET);
            assertThrows(EOFException.class, c::read, "3 of the 4 bytes, then the close");
            Throwable seen = handlerSaw.get(10, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, seen);
            assertTrue(seen.getMessage().contains("longer"), seen.getMessage());
            assertEquals(0, HttpLimitsTest.awaitNoConnections(f));
        }
    }

    @Test
    void aHandlerFailingAfterItsHeadWasSentClosesThatConnectionOnly() throws Exception {
        Handler h = (req, res) -> {
            if (req.path().equals("/fail-late")) {
                OutputStream out = res.outputStream();
                out.write("partial".getBytes(StandardCharsets.US_ASCII));
                out.flush(); // the head and a chunk are on the wire
                throw new IllegalStateException("handler bug after the head");
            }
            res.send("fine");
        };
        try (ServerFixture f = new ServerFixture(h); RawClient other = f.client()) {
            assertEquals("fine", other.send(GET).read().text());
            try (RawClient c = f.client()) {
                c.send("GET /fail-late HTTP/1.1\r\nHost: t\r\n\r\n" + GET);
                // a chunked body without its last chunk, then the end: no 500 after the 200,
                // and the pipelined request behind it is not answered
                assertThrows(EOFException.class, c::read);
                assertTrue(c.closedByServer());
            }
            assertEquals("fine", other.send(GET).read().text(), "another connection is still served");
            try (RawClient c = f.client()) {
                assertEquals("fine", c.send(GET).read().text(), "new connections too");
            }
        }
    }
}
