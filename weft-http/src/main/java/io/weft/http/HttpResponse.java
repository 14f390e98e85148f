package io.weft.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The response to one request: a status, header fields, and a body sent whole
 * ({@link #send(byte[])}) or streamed ({@link #outputStream()}).
 *
 * <pre>{@code
 * (req, res) -> {
 *     res.status(201).header("Content-Type", "application/json").send("{\"id\": 7}");
 * }
 *
 * (req, res) -> {                        // streamed: chunked, since no length is set
 *     try (OutputStream body = res.header("Content-Type", "text/plain").outputStream()) {
 *         for (int i = 0; i < 3; i++) {
 *             body.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The server adds {@code Server}, {@code Date}, {@code Content-Length} or
 * {@code Transfer-Encoding}, and {@code Connection} itself. The head is written when the
 * body starts (send, or the stream's first write, flush or close); after that the status
 * and fields can no longer change. Valid only during its handler's call.
 */
/*
 * Overview
 *
 * Nothing is formatted as text on the common path: the status line comes pre-encoded from
 * HttpStatus, Server and Date lines are cached byte arrays, field names and values are
 * copied char by char into the connection's write buffer, and Content-Length digits are
 * written in place. The response is appended to that buffer and written to the socket by
 * the connection when it next waits for input, so that pipelined responses share a write.
 *
 * Body framing, decided when the head is written:
 *   send(bytes)               Content-Length: n
 *   stream, contentLength(n)  Content-Length: n, and exactly n bytes must be written: a
 *                             write past n throws and sends none of its bytes, closing
 *                             short of n throws; either way the connection closes after
 *                             the bytes written, so the client sees a body cut short,
 *                             never a misframed one
 *   stream, HTTP/1.1 client   Transfer-Encoding: chunked, one chunk per write
 *   stream, HTTP/1.0 client   no length; the connection closes after the body
 * HEAD requests and 1xx/204/304 statuses get the head only.
 *
 * Confinement: the connection's task only.
 */
public final class HttpResponse {

    private static final byte[] CONTENT_LENGTH = Ascii.bytes("Content-Length: ");
    private static final byte[] CHUNKED = Ascii.bytes("Transfer-Encoding: chunked\r\n");
    private static final byte[] CLOSE = Ascii.bytes("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("Connection: keep-alive\r\n");
    private static final byte[] CRLF = {'\r', '\n'};

    private final Connection conn;
    private final HttpRequest request;
    private final byte[] serverLine;

    private int status;
    private String[] names = new String[8];
    private String[] values = new String[8];
    private int count;
    private long contentLength;
    private boolean close;
    private boolean committed;
    private boolean closesConnection;
    private BodyOutput output;

    HttpResponse(Connection conn, HttpRequest request, byte[] serverLine) {
        this.conn = conn;
        this.request = request;
        this.serverLine = serverLine;
    }

    void begin() {
        status = 200;
        count = 0;
        contentLength = -1;
        close = false;
        committed = false;
        closesConnection = false;
        output = null;
    }

    /** Sets the status (200-599; default 200). */
    public HttpResponse status(int code) {
        checkOpen();
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("status must be 200-599 (interim responses are the server's): " + code);
        }
        this.status = code;
        return this;
    }

    public int status() {
        return status;
    }

    /**
     * Adds a header field. {@code Content-Length} sets {@link #contentLength};
     * {@code Connection: close} closes the connection after this response;
     * {@code Transfer-Encoding} is the server's to set and is refused.
     *
     * @throws IllegalArgumentException for a name that is not a token, or a value with CR, LF or other controls
     */
    public HttpResponse header(String name, String value) {
        checkOpen();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7f || !Ascii.isToken((byte) c)) {
                throw new IllegalArgumentException("header name is not a token: " + name);
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xff || (c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("header value has a control or non-Latin-1 character: " + name);
            }
        }
        if (name.equalsIgnoreCase("Content-Length")) {
            return contentLength(Long.parseLong(value.strip()));
        }
        if (name.equalsIgnoreCase("Transfer-Encoding")) {
            throw new IllegalArgumentException("Transfer-Encoding is set by the server");
        }
        if (name.equalsIgnoreCase("Connection")) {
            if (value.toLowerCase(Locale.ROOT).contains("close")) {
                close = true;
            }
            return this;
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            values = Arrays.copyOf(values, count * 2);
        }
        names[count] = name;
        values[count] = value;
        count++;
        return this;
    }

    /** Sets Content-Type. */
    public HttpResponse contentType(String type) {
        return header("Content-Type", type);
    }

    /** The length of a body to be streamed; without it a streamed body is chunked. */
    public HttpResponse contentLength(long length) {
        checkOpen();
        if (length < 0) {
            throw new IllegalArgumentException("negative Content-Length: " + length);
        }
        this.contentLength = length;
        return this;
    }

    /** Closes the connection after this response. */
    public HttpResponse closeConnection() {
        close = true;
        return this;
    }

    /** True once the head has been written: status and fields are final. */
    public boolean isCommitted() {
        return committed;
    }

    /** Sends {@code body} as UTF-8. */
    public void send(String body) throws IOException {
        send(body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the whole body; the response is complete. */
    public void send(byte[] body) throws IOException {
        send(body, 0, body.length);
    }

    /** Sends {@code body[off..off+len)} as the whole body; the response is complete. */
    public void send(byte[] body, int off, int len) throws IOException {
        checkOpen();
        java.util.Objects.checkFromIndexSize(off, len, body.length);
        if (contentLength >= 0 && contentLength != len) {
            throw new IllegalStateException("Content-Length was set to " + contentLength + " but the body has " + len + " bytes");
        }
        contentLength = len;
        writeHead(false);
        if (hasBody()) {
            conn.write(body, off, len);
        }
    }

    /**
     * The body as a stream (see the class overview for its framing). Closing it completes the
     * response; the server closes it if the handler does not.
     */
    public OutputStream outputStream() {
        if (output == null) {
            checkOpen();
            output = new BodyOutput(this, conn);
        }
        return output;
    }

    /** After the handler: completes what it left open. */
    void finish() throws IOException {
        if (output != null) {
            output.close();
        } else if (!committed) {
            if (contentLength > 0) {
                throw new IllegalStateException("Content-Length " + contentLength + " set but no body sent");
            }
            contentLength = 0;
            writeHead(false);
        }
    }

    /** True if the connection closes after this response (decided when the head was written). */
    boolean closesConnection() {
        return closesConnection;
    }

    /**
     * The body cannot match its framing any more: the connection closes after what was
     * written so far, even if the handler catches the error and returns.
     */
    void abandonConnection() {
        closesConnection = true;
    }

    boolean hasBody() {
        return !"HEAD".equals(request.method) && !HttpStatus.bodyless(status);
    }

    long declaredLength() {
        return contentLength;
    }

    /** Writes the head into the connection's buffer; {@code streaming}: the length may be unknown. */
    void writeHead(boolean streaming) throws IOException {
        committed = true;
        boolean chunked = false;
        boolean delimitedByClose = false;
        if (streaming && contentLength < 0 && !HttpStatus.bodyless(status)) {
            if (request.version == 11) {
                chunked = true;
            } else {
                delimitedByClose = true;
            }
        }
        BodyInput body = (BodyInput) request.body();
        // Close rather than keep the connection when the client waits for a 100 Continue it
        // will not get, or when more of the body is left unread than the server would drain.
        closesConnection = close || !request.keepAlive || conn.draining() || delimitedByClose
                || (!body.finished() && body.continueStillPending()) || body.unreadLength() > conn.maxDrainSize();
        int size = 160 + serverLine.length;
        for (int i = 0; i < count; i++) {
            size += names[i].length() + values[i].length() + 4;
        }
        conn.reserve(size);
        byte[] out = conn.out;
        int p = conn.outLen;
        byte[] line = HttpStatus.line(status);
        System.arraycopy(line, 0, out, p, line.length);
        p += line.length;
        System.arraycopy(serverLine, 0, out, p, serverLine.length);
        p += serverLine.length;
        byte[] date = HttpDate.line();
        System.arraycopy(date, 0, out, p, date.length);
        p += date.length;
        for (int i = 0; i < count; i++) {
            p = Ascii.putString(out, p, names[i]);
            out[p++] = ':';
            out[p++] = ' ';
            p = Ascii.putString(out, p, values[i]);
            out[p++] = '\r';
            out[p++] = '\n';
        }
        if (chunked) {
            System.arraycopy(CHUNKED, 0, out, p, CHUNKED.length);
            p += CHUNKED.length;
        } else if (!delimitedByClose && !HttpStatus.bodyless(status)) {
            System.arraycopy(CONTENT_LENGTH, 0, out, p, CONTENT_LENGTH.length);
            p += CONTENT_LENGTH.length;
            p = Ascii.putDecimal(out, p, contentLength);
            out[p++] = '\r';
            out[p++] = '\n';
        }
        byte[] conns = closesConnection ? CLOSE : request.version == 10 ? KEEP_ALIVE : null;
        if (conns != null) {
            System.arraycopy(conns, 0, out, p, conns.length);
            p += conns.length;
        }
        out[p++] = CRLF[0];
        out[p++] = CRLF[1];
        conn.outLen = p;
        if (output != null) {
            output.framing(chunked);
        }
    }

    private void checkOpen() {
        if (committed) {
            throw new IllegalStateException("the response head was already sent");
        }
    }
}
