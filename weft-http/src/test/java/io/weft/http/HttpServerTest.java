package io.weft.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request and response exchange over loopback: keep-alive, pipelining, bodies both ways, 100-continue, HEAD, errors. */
@Timeout(60)
class HttpServerTest {

    static final String GET_PLAIN = "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n";

    static Router router() {
        return new Router()
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send("Hello, World!"))
                .post("/echo", (req, res) -> {
                    byte[] body = req.bodyBytes();
                    res.contentType("application/octet-stream").send(body);
                })
                .get("/stream/{n}", (req, res) -> {
                    int n = Integer.parseInt(req.pathParam("n"));
                    try (OutputStream out = res.contentType("text/plain").outputStream()) {
                        for (int i = 0; i < n; i++) {
                            out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                })
                .get("/fail", (req, res) -> {
                    throw new IllegalStateException("handler bug");
                })
                .get("/teapot", (req, res) -> {
                    throw new HttpException(422, "no tea here");
                })
                .get("/nothing", (req, res) -> res.status(204))
                .post("/ignore", (req, res) -> res.send("ignored"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void keepAliveServesManyRequestsOnOneConnection(String backend) throws Exception {
        try (ServerFixture f = new ServerFixture(backend, router(), b -> b); RawClient c = f.client()) {
            for (int i = 0; i < 50; i++) {
                RawClient.Response r = c.send(GET_PLAIN).read();
                assertEquals(200, r.status());
                assertEquals("Hello, World!", r.text());
                assertEquals("text/plain", r.header("Content-Type"));
                assertEquals("weft", r.header("Server"));
                assertNotNull(r.header("Date"));
                assertNull(r.header("Connection"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void pipelinedRequestsAreAnsweredInOrder(String backend) throws Exception {
        try (ServerFixture f = new ServerFixture(backend, router(), b -> b); RawClient c = f.client()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                batch.append(i % 2 == 0 ? GET_PLAIN : "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n" + String.format("%03d", i));
            }
            c.send(batch.toString());
            for (int i = 0; i < 16; i++) {
                RawClient.Response r = c.read();
                assertEquals(200, r.status());
                assertEquals(i % 2 == 0 ? "Hello, World!" : String.format("%03d", i), r.text());
            }
            assertEquals("Hello, World!", c.send(GET_PLAIN).read().text());
        }
    }

    @Test
    void aRouterServesPlaintextAndJsonWithDateAnd404And405() throws Exception {
        Router r = new Router()
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send("Hello, World!"))
                .get("/json", (req, res) -> res.contentType("application/json").send("{\"message\":\"Hello, World!\"}"));
        try (ServerFixture f = new ServerFixture(r); RawClient c = f.client()) {
            RawClient.Response plain = c.send(GET_PLAIN).read();
            assertEquals("Hello, World!", plain.text());
            assertEquals("text/plain", plain.header("Content-Type"));
            RawClient.Response json = c.send("GET /json HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals("{\"message\":\"Hello, World!\"}", json.text());
            assertEquals("application/json", json.header("Content-Type"));
            assertTrue(json.header("Date").matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), json.header("Date"));
            assertEquals(404, c.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            RawClient.Response wrongMethod = c.send("DELETE /json HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals(405, wrongMethod.status());
            assertEquals("GET, HEAD", wrongMethod.header("Allow"));
        }
    }

    @Test
    void routerMatchesPathParametersSegmentBySegment() throws Exception {
        Router r = new Router()
                .get("/users/{id}", (req, res) -> res.send("user " + req.pathParam("id")))
                .get("/users/{id}/files/{name}", (req, res) -> res.send(req.pathParam("id") + ":" + req.pathParam("name")))
                .get("/users/me", (req, res) -> res.send("literal wins"));
        try (ServerFixture f = new ServerFixture(r); RawClient c = f.client()) {
            assertEquals("user 42", c.send("GET /users/42 HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            assertEquals("7:a b.txt", c.send("GET /users/7/files/a%20b.txt?x=1 HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            assertEquals("literal wins", c.send("GET /users/me HTTP/1.1\r\nHost: t\r\n\r\n").read().text());
            assertEquals(404, c.send("GET /users/ HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            assertEquals(404, c.send("GET /users/7/files HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
            assertEquals(404, c.send("GET /users/7/files/x/y HTTP/1.1\r\nHost: t\r\n\r\n").read().status());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> r.get("/users/{id}", (q, s) -> { }));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> r.get("no-slash", (q, s) -> { }));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> r.get("/a/{b", (q, s) -> { }));
    }

    @Test
    void requestSplitAcrossManyWritesIsAssembled() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            for (char ch : GET_PLAIN.toCharArray()) {
                c.send(String.valueOf(ch));
            }
            assertEquals("Hello, World!", c.read().text());
        }
    }

    @Test
    void contentLengthBodyIsReadWhole() throws Exception {
        byte[] body = new byte[200_000];
        new java.util.Random(1).nextBytes(body);
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertArrayEquals(body, r.body());
            assertEquals("Hello, World!", c.send(GET_PLAIN).read().text());
        }
    }

    @Test
    void chunkedRequestBodyIsDecoded() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nHello\r\n1;ext=1\r\n,\r\n7\r\n World!\r\n0\r\nX-Trailer: yes\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("Hello, World!", r.text());
            assertEquals("13", r.header("Content-Length"));
            assertEquals("Hello, World!", c.send(GET_PLAIN).read().text());
        }
    }

    @Test
    void largeChunkedRequestBodyArrivesInPieces() throws Exception {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            java.util.Random rnd = new java.util.Random(2);
            for (int i = 0; i < 40; i++) {
                byte[] chunk = new byte[1 + rnd.nextInt(9000)];
                rnd.nextBytes(chunk);
                expected.write(chunk);
                c.send(Integer.toHexString(chunk.length) + "\r\n").send(chunk).send("\r\n");
            }
            c.send("0\r\n\r\n");
            RawClient.Response r = c.read();
            assertArrayEquals(expected.toByteArray(), r.body());
        }
    }

    @Test
    void headerFieldsSurviveTheReadBufferBeingReused() throws Exception {
        // a long chunked body makes the connection compact its read buffer while the
        // handler runs; the head's fields must still read the same afterwards
        Handler h = (req, res) -> {
            String before = req.header("X-Check") + "|" + req.path();
            long n = req.body().transferTo(OutputStream.nullOutputStream());
            res.send(before + "|" + req.header("X-Check") + "|" + req.headerName(1) + "|" + n);
        };
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            c.send("POST /p HTTP/1.1\r\nHost: t\r\nX-Check: value-1\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "a".repeat(1000);
            for (int i = 0; i < 50; i++) {
                c.send("3e8\r\n" + chunk + "\r\n");
            }
            RawClient.Response r = c.send("0\r\n\r\n").read();
            assertEquals("value-1|/p|value-1|X-Check|50000", r.text());
        }
    }

    @Test
    void streamedResponseIsChunked() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            RawClient.Response r = c.send("GET /stream/3 HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertNull(r.header("Content-Length"));
            assertEquals("line 0\nline 1\nline 2\n", r.text());
            assertEquals("Hello, World!", c.send(GET_PLAIN).read().text());
        }
    }

    @Test
    void streamedResponseToHttp10IsDelimitedByClose() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            RawClient.Response r = c.send("GET /stream/2 HTTP/1.0\r\n\r\n").read();
            assertNull(r.header("Transfer-Encoding"));
            assertEquals("close", r.header("Connection"));
            assertEquals("line 0\nline 1\n", r.text());
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAsked() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            RawClient.Response r = c.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertEquals("keep-alive", r.header("Connection"));
            r = c.send("GET /plaintext HTTP/1.0\r\n\r\n").read();
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            RawClient.Response r = c.send("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
            assertEquals("close", r.header("Connection"));
            assertEquals("Hello, World!", r.text());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void expectContinueGetsAnInterimResponseBeforeTheBody() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response interim = c.read();
            assertEquals(100, interim.status());
            RawClient.Response r = c.send("abcde").read();
            assertEquals(200, r.status());
            assertEquals("abcde", r.text());
        }
    }

    @Test
    void expectContinueWithUnreadBodyClosesInsteadOfWaiting() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void unreadBodyIsDrainedAndTheConnectionKept() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789" + GET_PLAIN);
            assertEquals("ignored", c.read().text());
            assertEquals("Hello, World!", c.read().text());
        }
    }

    @Test
    void bodyTooLargeToDrainIsAnsweredWithConnectionClose() throws Exception {
        try (ServerFixture f = new ServerFixture(router(), b -> b.maxDrainSize(100)); RawClient c = f.client()) {
            RawClient.Response r = c.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n").read();
            assertEquals("ignored", r.text());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void headSendsTheHeadOnly() throws Exception {
        try (ServerFixture f = new ServerFixture(router()); RawClient c = f.client()) {
            RawClient.Response r = c.send("HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
            assertEquals(200, r.status());
            assertEquals("13", r.header("Content-Length"));
            assertEquals("Hello, World!", c.send(GET_PLAIN).read().text());
        }
    }

    @Test
    void handlerFailuresBecomeStatuses() throws Exception {
        try (ServerFixture f = new ServerFixture(router())) {
            try (RawClient c = f.client()) {
                RawClient.Response r = c.send("GET /fail HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(500, r.status());
                assertEquals("close", r.header("Connection"));
            }
            try (RawClient c = f.client()) {
                RawClient.Response r = c.send("GET /teapot HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(422, r.status());
                assertTrue(r.text().contains("no tea here"));
            }
            try (RawClient c = f.client()) {
                RawClient.Response r = c.send("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n").read();
                assertEquals(204, r.status());
                assertNull(r.header("Content-Length"));
                assertEquals("Hello, World!", c.send(GET_PLAIN).read().text());
            }
        }
    }

    @Test
    void bodyStreamReadsInSmallPieces() throws Exception {
        Handler h = (req, res) -> {
            InputStream in = req.body();
            byte[] small = new byte[3];
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int n; (n = in.read(small)) > 0; ) {
                all.write(small, 0, n);
            }
            res.send(all.toByteArray());
        };
        try (ServerFixture f = new ServerFixture(h); RawClient c = f.client()) {
            byte[] body = new byte[1000];
            Arrays.fill(body, (byte) 'x');
            RawClient.Response r = c.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n").send(body).read();
            assertArrayEquals(body, r.body());
        }
    }
}
