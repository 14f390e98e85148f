package io.weft.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A request's body as an {@link InputStream}: exactly Content-Length bytes, or the
 * decoded chunks of a chunked body (RFC 9112 7.1), read from the connection's buffer and
 * then from the socket. One per connection, reset for each request.
 */
/*
 * Overview
 *
 * `remaining` counts the bytes left: of the whole body (length mode) or of the current
 * chunk (chunked mode). In chunked mode, when a chunk is used up, the next read consumes
 * the CRLF that ends it and the next chunk-size line; size 0 is the last chunk, after
 * which trailer fields are read and dropped up to the blank line. Every line is looked
 * for inside the buffer only, and a line longer than the limits allow is a 400 (chunk
 * line) or 431 (trailers) before any byte of it is kept: the decoder never trusts a size
 * it has not bounded. Chunk sizes are at most 15 hex digits, and the body's running total
 * is checked against the body limit (413) as bytes are handed out.
 *
 * The first read of a request that sent Expect: 100-continue writes the interim
 * 100 response first, unless the client already started sending the body.
 *
 * Confinement: the connection's task only.
 */
final class BodyInput extends InputStream {

    private static final int MAX_CHUNK_LINE = 4096;

    private enum Mode { NONE, LENGTH, CHUNKED }

    private final Connection conn;
    private final Limits limits;
    private Mode mode = Mode.NONE;
    private long remaining;
    private long total;
    private boolean eof;
    private boolean firstChunk;
    private boolean continuePending;
    /** The last read failed with a timeout (the connection maps it to 408). */
    boolean timedOut;

    BodyInput(Connection conn, Limits limits) {
        this.conn = conn;
        this.limits = limits;
    }

    void begin(HttpRequest req) {
        total = 0;
        timedOut = false;
        firstChunk = true;
        if (req.chunked) {
            mode = Mode.CHUNKED;
            remaining = 0;
            eof = false;
        } else if (req.contentLength > 0) {
            mode = Mode.LENGTH;
            remaining = req.contentLength;
            eof = false;
        } else {
            mode = Mode.NONE;
            remaining = 0;
            eof = true;
        }
        continuePending = req.expectContinue && !eof;
    }

    /** True if the client waits for 100 Continue that was never sent: its body may never come. */
    boolean continueStillPending() {
        return continuePending;
    }

    /** Bytes of a Content-Length body not read yet; 0 for a chunked body or none. */
    long unreadLength() {
        return mode == Mode.LENGTH && !eof ? remaining : 0;
    }

    /** True if every byte of the body was read. */
    boolean finished() {
        return eof;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (eof) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        if (continuePending) {
            continuePending = false;
            if (conn.pos == conn.lim && !conn.response().isCommitted()) {
                conn.sendContinue();
            }
        }
        if (mode == Mode.CHUNKED && remaining == 0) {
            nextChunk();
            if (eof) {
                return -1;
            }
        }
        int want = (int) Math.min(len, remaining);
        int n;
        if (conn.pos < conn.lim) {
            n = Math.min(want, conn.lim - conn.pos);
            System.arraycopy(conn.in, conn.pos, b, off, n);
            conn.pos += n;
        } else if (want >= 4096) {
            n = call(() -> conn.readDirect(b, off, want, Connection.deadlineAfter(limits.readTimeout())));
            if (n < 0) {
                throw truncated();
            }
        } else {
            if (fillOnce() < 0) {
                throw truncated();
            }
            n = Math.min(want, conn.lim - conn.pos);
            System.arraycopy(conn.in, conn.pos, b, off, n);
            conn.pos += n;
        }
        remaining -= n;
        total += n;
        if (total > limits.maxBodySize()) {
            throw new HttpException(413, "body larger than " + limits.maxBodySize() + " bytes");
        }
        if (mode == Mode.LENGTH && remaining == 0) {
            eof = true;
        }
        return n;
    }

    @Override
    public int available() {
        return eof ? 0 : (int) Math.min(remaining, conn.lim - conn.pos);
    }

    /** Closing the body does not close the connection; the server drains what is left. */
    @Override
    public void close() {
    }

    /** Reads and drops what is left of the body, at most {@code limit} bytes; false if it could not (the connection must close). */
    boolean drain(long limit) throws IOException {
        if (eof) {
            return true;
        }
        if (continuePending) {
            return false; // the client may be waiting for our word before it sends the body
        }
        byte[] sink = new byte[8192];
        long dropped = 0;
        try {
            while (!eof) {
                int n = read(sink, 0, sink.length);
                if (n < 0) {
                    break;
                }
                dropped += n;
                if (dropped > limit) {
                    return false;
                }
            }
        } catch (HttpException | java.net.SocketTimeoutException | EOFException e) {
            return false;
        }
        return true;
    }

    private void nextChunk() throws IOException {
        if (!firstChunk) {
            int end = line();
            if (end != conn.pos) {
                throw new HttpException(400, "chunk data longer than its size");
            }
            conn.pos = lineAfter(end);
        }
        firstChunk = false;
        int end = line();
        long size = 0;
        int digits = 0;
        int i = conn.pos;
        for (; i < end; i++) {
            int d = Ascii.hexDigit(conn.in[i]);
            if (d < 0) {
                break;
            }
            if (++digits > 15) {
                throw new HttpException(413, "chunk size too large");
            }
            size = size << 4 | d;
        }
        if (digits == 0) {
            throw new HttpException(400, "malformed chunk size");
        }
        for (; i < end; i++) { // chunk extensions: ignored, but no control characters
            byte c = conn.in[i];
            if (c != '\t' && c != '\r' && (c < 0x20 || c == 0x7f)) {
                throw new HttpException(400, "control character in a chunk extension");
            }
        }
        conn.pos = lineAfter(end);
        if (total + size > limits.maxBodySize()) {
            throw new HttpException(413, "body larger than " + limits.maxBodySize() + " bytes");
        }
        if (size == 0) {
            trailers();
            eof = true;
            return;
        }
        remaining = size;
    }

    /** Drops trailer fields up to the blank line; 431 past the header size limit. */
    private void trailers() throws IOException {
        int bytes = 0;
        while (true) {
            int end = line();
            int len = end - conn.pos;
            if (len == 0 || (len == 1 && conn.in[conn.pos] == '\r')) {
                conn.pos = lineAfter(end);
                return;
            }
            bytes += len;
            if (bytes > limits.maxHeaderSize()) {
                throw new HttpException(431, "trailer fields larger than " + limits.maxHeaderSize() + " bytes");
            }
            conn.pos = lineAfter(end);
        }
    }

    /**
     * The index of the LF ending the line at {@code conn.pos} (reading more if needed), with
     * a preceding CR left to {@link #lineAfter}; 400 if the line would exceed its limit.
     */
    private int line() throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = conn.pos + scanned; i < conn.lim; i++) {
                if (conn.in[i] == '\n') {
                    return i > conn.pos && conn.in[i - 1] == '\r' ? i - 1 : i;
                }
            }
            scanned = conn.lim - conn.pos;
            if (scanned > MAX_CHUNK_LINE) {
                throw new HttpException(400, "chunk line longer than " + MAX_CHUNK_LINE + " bytes");
            }
            if (fillOnce() < 0) {
                throw truncated();
            }
        }
    }

    /** The index after the line end at {@code end} (the CR of a CRLF, or a LF). */
    private int lineAfter(int end) throws HttpException {
        if (conn.in[end] == '\n') {
            return end + 1;
        }
        if (end + 1 < conn.lim && conn.in[end] == '\r' && conn.in[end + 1] == '\n') {
            return end + 2;
        }
        throw new HttpException(400, "CR not followed by LF in a chunked body");
    }

    private int fillOnce() throws IOException {
        return call(() -> conn.fill(Connection.deadlineAfter(limits.readTimeout())));
    }

    private interface Read {
        int run() throws IOException;
    }

    private int call(Read r) throws IOException {
        try {
            return r.run();
        } catch (java.net.SocketTimeoutException e) {
            timedOut = true;
            throw e;
        }
    }

    private IOException truncated() {
        conn.broken = true;
        return new EOFException("request body ended early (the client closed the connection)");
    }
}
