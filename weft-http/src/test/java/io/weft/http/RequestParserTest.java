package io.weft.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The head parser on its own: what it accepts, what it decodes, and the status of each refusal. */
class RequestParserTest {

    static final Limits LIMITS = new Limits(100, 300, 5, 1000, null, null, null, 0);

    static HttpRequest parse(String head) throws HttpException {
        byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
        int end = RequestParser.findHeadEnd(b, 0, b.length);
        assertEquals(b.length, end, "test heads end with their blank line");
        HttpRequest r = new HttpRequest(null);
        RequestParser.parse(b, 0, end, r, LIMITS, new TargetCache());
        return r;
    }

    static int status(String head) {
        return assertThrows(HttpException.class, () -> parse(head)).status();
    }

    @Test
    void parsesRequestLineAndFields() throws Exception {
        HttpRequest r = parse("POST /a/b%20c?x=1&y=two+words HTTP/1.1\r\nHost: example\r\nContent-Length: 12\r\n"
                + "X-Spaces:   padded value \t\r\nconnection: Keep-Alive, Upgrade\r\n\r\n");
        assertSame("POST", r.method(), "known methods are not built per request");
        assertEquals("/a/b%20c", r.path());
        assertEquals("x=1&y=two+words", r.query());
        assertEquals("two words", r.queryParam("y"));
        assertEquals("HTTP/1.1", r.version());
        assertEquals(12, r.contentLength());
        assertEquals("padded value", r.header("x-spaces"));
        assertEquals("example", r.header("HOST"));
        assertEquals(4, r.headerCount());
        assertTrue(r.keepAlive);
        assertNull(r.header("missing"));
    }

    @Test
    void bareLineFeedsAndAbsoluteFormAreAccepted() throws Exception {
        HttpRequest r = parse("GET http://example.com/p?q HTTP/1.1\nHost: example.com\n\n");
        assertEquals("/p", r.path());
        assertEquals("q", r.query());
    }

    @Test
    void connectionSemanticsFollowTheVersion() throws Exception {
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive);
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive);
        assertFalse(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keepAlive);
        assertTrue(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n").chunked);
        assertTrue(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").expectContinue);
    }

    @Test
    void refusalsCarryTheirStatus() {
        assertEquals(414, status("GET /" + "a".repeat(120) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(431, status("GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(400) + "\r\n\r\n"));
        assertEquals(431, status("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n"));
        assertEquals(413, status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n"));
        assertEquals(505, status("GET / HTTP/3.0\r\nHost: h\r\n\r\n"));
        assertEquals(501, status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: br\r\n\r\n"));
        assertEquals(400, status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"));
        assertEquals(400, status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals(400, status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals(400, status("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n"));
        assertEquals(400, status("GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n"));
        assertEquals(400, status("G@T / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, status("GET /\u007f HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, status("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"));
        assertEquals(400, status("GET / HTTP/1.1\r\n: empty-name\r\n\r\n"));
        assertEquals(400, status("GET / HTTP/1.1\r\nHost: h\r\nBad\u0000: x\r\n\r\n"));
        assertEquals(417, status("GET / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n"));
    }

    @Test
    void findHeadEndResumesAcrossReads() {
        byte[] b = "GET / HTTP/1.1\r\nHost: h\r\n\r\nNEXT".getBytes(StandardCharsets.ISO_8859_1);
        int full = 27;
        for (int lim = 0; lim < full; lim++) {
            assertEquals(-1, RequestParser.findHeadEnd(b, Math.max(0, lim - 2), lim), "incomplete at " + lim);
        }
        assertEquals(full, RequestParser.findHeadEnd(b, full - 3, full));
        assertEquals(full, RequestParser.findHeadEnd(b, 0, b.length));
    }

    static long chunkSize(String line) throws HttpException {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        return ChunkedFraming.chunkSize(b, 0, b.length);
    }

    static int chunkStatus(String line) {
        return assertThrows(HttpException.class, () -> chunkSize(line), line).status();
    }

    static void trailer(String line) throws HttpException {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        ChunkedFraming.trailerField(b, 0, b.length);
    }

    @Test
    void chunkSizesFollowTheGrammarStrictly() throws Exception {
        assertEquals(0x2d, chunkSize("2d"));
        assertEquals(0, chunkSize("0"));
        assertEquals(5, chunkSize("0000000000000005"));
        assertEquals(Long.MAX_VALUE, chunkSize("7fffffffffffffff"));
        assertEquals(5, chunkSize("5;name"));
        assertEquals(5, chunkSize("5;a=b;c=\"quoted; \\\" value\""));
        assertEquals(5, chunkSize("5 ; a = b"));
        // the smuggling vector: a size that a lenient reader takes as 0 plus an "extension"
        assertEquals(400, chunkStatus("0x2d"));
        assertEquals(400, chunkStatus("0 x"));
        assertEquals(400, chunkStatus("5 "));
        assertEquals(400, chunkStatus(""));
        assertEquals(400, chunkStatus("-1"));
        assertEquals(400, chunkStatus("+5"));
        assertEquals(400, chunkStatus(" 5"));
        assertEquals(400, chunkStatus("5\r"));
        assertEquals(400, chunkStatus("5;"));
        assertEquals(400, chunkStatus("5;=b"));
        assertEquals(400, chunkStatus("5;a="));
        assertEquals(400, chunkStatus("5;a=b c"));
        assertEquals(400, chunkStatus("5;a=\"open"));
        assertEquals(400, chunkStatus("5;a=\"ctl\u0001\""));
        assertEquals(400, chunkStatus("5;a\u0000"));
        assertEquals(400, chunkStatus("00000000000000005"), "more than 16 digits, even as leading zeros");
        assertEquals(413, chunkStatus("8000000000000000"), "does not fit in a long");
        assertEquals(400, chunkStatus("5;" + "x".repeat(ChunkedFraming.MAX_EXTENSIONS)));
    }

    @Test
    void trailerFieldsAreCheckedLikeHeaderFieldsAndNeverFrameOrRoute() throws Exception {
        trailer("X-Checksum: abc");
        trailer("X-Empty:");
        for (String name : new String[] {"Content-Length", "transfer-encoding", "HOST", "Connection", "Expect", "Trailer"}) {
            HttpException e = assertThrows(HttpException.class, () -> trailer(name + ": 1"));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("not allowed as a trailer"), e.getMessage());
        }
        assertEquals(400, assertThrows(HttpException.class, () -> trailer(" folded")).status());
        assertEquals(400, assertThrows(HttpException.class, () -> trailer("X : y")).status());
        assertEquals(400, assertThrows(HttpException.class, () -> trailer("X")).status());
        assertEquals(400, assertThrows(HttpException.class, () -> trailer("X: a\u0001b")).status());
        assertEquals(400, assertThrows(HttpException.class, () -> trailer("X: a\rb")).status());
    }
}
