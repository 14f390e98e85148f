package io.weft.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request as its handler sees it: method, target, header fields, path parameters (set
 * by the {@link Router}) and the body as an {@link InputStream}.
 *
 * <pre>{@code
 * router.post("/upload/{name}", (req, res) -> {
 *     long n = req.body().transferTo(OutputStream.nullOutputStream());
 *     res.send(req.pathParam("name") + ": " + n + " bytes");
 * });
 * }</pre>
 *
 * <p>Valid only during its handler's call: the connection reuses the object for its next
 * request. Header names are matched ignoring case; values are ISO-8859-1 text as sent.
 */
/*
 * Overview
 *
 * The parser does not build a String per header field. It records each field as four
 * offsets (name start, name length, value start, value length) into the bytes of the
 * request head, which stay in the connection's read buffer while the handler runs.
 * header(name) compares bytes ignoring case and builds only the value asked for. The
 * connection calls detach() before it moves or reuses those bytes (compacting its buffer
 * while a handler reads a long chunked body): the head is copied out once and the offsets
 * rebased onto the copy.
 *
 * Fields the server itself acts on (Content-Length, Transfer-Encoding, Connection,
 * Expect, Host) are decoded by the parser straight from the bytes into the fields below.
 *
 * Confinement: the connection's task only.
 */
public final class HttpRequest {

    private final Connection conn;

    // ---- set by RequestParser ---------------------------------------------------------
    String method;
    String target;
    String path;
    String query;
    int version;
    /** The bytes the field offsets point into: the connection's read buffer, or a detached copy. */
    byte[] head;
    int headStart;
    int headEnd;
    int[] fields = new int[4 * 16];
    int fieldCount;
    long contentLength;
    boolean chunked;
    boolean expectContinue;
    boolean keepAlive;

    // ---- set by the Router ------------------------------------------------------------
    private String[] paramNames = new String[0];
    private String[] paramValues = new String[0];
    private int paramCount;

    HttpRequest(Connection conn) {
        this.conn = conn;
    }

    /** Clears what a request sets, before the parser fills it again. */
    void reset() {
        method = null;
        target = null;
        path = null;
        query = null;
        fieldCount = 0;
        contentLength = -1;
        chunked = false;
        expectContinue = false;
        keepAlive = false;
        paramCount = 0;
    }

    /** Copies the head out of the connection's buffer, which is about to change. */
    void detach() {
        if (head == conn.readBuffer()) {
            byte[] copy = Arrays.copyOfRange(head, headStart, headEnd);
            for (int i = 0; i < fieldCount; i++) {
                fields[4 * i] -= headStart;
                fields[4 * i + 2] -= headStart;
            }
            headEnd -= headStart;
            headStart = 0;
            head = copy;
        }
    }

    void addField(int nameStart, int nameLen, int valueStart, int valueLen) {
        int i = 4 * fieldCount;
        if (i + 4 > fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[i] = nameStart;
        fields[i + 1] = nameLen;
        fields[i + 2] = valueStart;
        fields[i + 3] = valueLen;
        fieldCount++;
    }

    // ---- the request line ---------------------------------------------------------------

    /** The method as sent, e.g. {@code GET}. */
    public String method() {
        return method;
    }

    /** The request target as sent: path and query, e.g. {@code /search?q=weft}. */
    public String target() {
        return target;
    }

    /** The path part of the target, not decoded, e.g. {@code /files/a%20b}. */
    public String path() {
        return path;
    }

    /** The query part of the target without the {@code ?}, not decoded; null if there is none. */
    public String query() {
        return query;
    }

    /** {@code HTTP/1.1} or {@code HTTP/1.0}. */
    public String version() {
        return version == 11 ? "HTTP/1.1" : "HTTP/1.0";
    }

    /**
     * The first value of query parameter {@code name}, decoded ({@code +} is a space);
     * null if absent.
     */
    public String queryParam(String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            if (k.equals(name)) {
                return eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape stays as sent rather than failing the request
        }
    }

    // ---- path parameters ----------------------------------------------------------------

    void setPathParams(String[] names, String[] values, int count) {
        if (paramNames.length < count) {
            paramNames = new String[count];
            paramValues = new String[count];
        }
        System.arraycopy(names, 0, paramNames, 0, count);
        System.arraycopy(values, 0, paramValues, 0, count);
        paramCount = count;
    }

    /** The value of path parameter {@code name} ({@code {name}} in the route), percent-decoded; null if the route has none. */
    public String pathParam(String name) {
        for (int i = 0; i < paramCount; i++) {
            if (paramNames[i].equals(name)) {
                return percentDecode(paramValues[i]);
            }
        }
        return null;
    }

    /** Decodes %XX escapes as UTF-8; {@code +} stays (it is a space only in queries). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int hi = Ascii.hexDigit((byte) s.charAt(i + 1));
                int lo = Ascii.hexDigit((byte) s.charAt(i + 2));
                if (hi >= 0 && lo >= 0) {
                    out[n++] = (byte) (hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            out[n++] = (byte) c;
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    // ---- header fields ------------------------------------------------------------------

    /** The value of the first field called {@code name} (any case); null if there is none. */
    public String header(String name) {
        for (int i = 0; i < fieldCount; i++) {
            int f = 4 * i;
            if (Ascii.equalsIgnoreCase(head, fields[f], fields[f + 1], name)) {
                return Ascii.string(head, fields[f + 2], fields[f + 3]);
            }
        }
        return null;
    }

    /** The values of every field called {@code name}, in order; empty if none. */
    public List<String> headers(String name) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < fieldCount; i++) {
            int f = 4 * i;
            if (Ascii.equalsIgnoreCase(head, fields[f], fields[f + 1], name)) {
                out.add(Ascii.string(head, fields[f + 2], fields[f + 3]));
            }
        }
        return out;
    }

    /** How many header fields the request has. */
    public int headerCount() {
        return fieldCount;
    }

    /** The name of field {@code i} as sent. */
    public String headerName(int i) {
        java.util.Objects.checkIndex(i, fieldCount);
        return Ascii.string(head, fields[4 * i], fields[4 * i + 1]);
    }

    /** The value of field {@code i}. */
    public String headerValue(int i) {
        java.util.Objects.checkIndex(i, fieldCount);
        return Ascii.string(head, fields[4 * i + 2], fields[4 * i + 3]);
    }

    // ---- body ---------------------------------------------------------------------------

    /** The Content-Length the client sent; -1 if none (no body, or a chunked one). */
    public long contentLength() {
        return contentLength;
    }

    /** True if the body comes in chunks (Transfer-Encoding: chunked). */
    public boolean isChunked() {
        return chunked;
    }

    /**
     * The body, read from the connection as the handler reads it. Reading it answers
     * {@code Expect: 100-continue} first. Its reads throw {@link HttpException} (413) past
     * the server's body limit and {@link java.net.SocketTimeoutException} past the read
     * timeout. Empty for a request without a body. Closing it does nothing.
     */
    public InputStream body() {
        return conn.bodyInput();
    }

    /** The whole body (at most the server's body limit). */
    public byte[] bodyBytes() throws IOException {
        return body().readAllBytes();
    }

    /** The whole body decoded as UTF-8. */
    public String bodyString() throws IOException {
        return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    /** The client's address. */
    public InetSocketAddress remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public String toString() {
        return method + " " + target + " " + version();
    }
}
