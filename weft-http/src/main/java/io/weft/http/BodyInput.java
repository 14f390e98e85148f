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
 * the line end that closes it and the next chunk-size line; size 0 is the last chunk,
 * after which the trailer section is read, checked and dropped up to the blank line.
 * Lines follow RFC 9112 7.1 strictly (ChunkedFraming): a chunk-size is 1 to 16 hex
 * digits followed by the end of the line or by ';' extensions, so no reader can take
 * `0x2d` for the last chunk. A line ends with CRLF or a bare LF, as in the request head
 * (RequestParser); a CR anywhere else is a 400. Every line is looked for inside the
 * buffer only, and a line longer than its limit is a 400 (chunk line) or 431 (trailer)
 * before any byte of it is kept: the decoder never trusts a size it has not bounded.
 * The body's running total, chunk extensions included (so that framing cannot multiply
 * what a client may send), is checked against the body limit (413) as bytes arrive.
 * Trailer fields are checked like header fields, bounded in size and count like them
 * (431), and never acted on; the ones that frame or route a request (Content-Length,
 * Transfer-Encoding, Host, Connection, Expect, Trailer) are refused with a 400.
 *
 * Pace. Each socket read of the body waits at most until the earliest of: the read
 * timeout from now; the body deadline (the body timeout after the first socket read of
 * the body); and the data-rate deadline. The rate counts only time spent waiting for the
 * client, so a handler that works between reads is not charged for it: after `waited`
 * nanoseconds of waiting and `total` bytes received, the client may wait
 * grace + total / rate - waited more. Each byte received extends that credit, so a
 * client trickling a byte at a time runs out of it once the grace is spent. Any of the
 * three expiring is a 408.
 *
 * The first read of a request that sent Expect: 100-continue writes the interim
 * 100 response first, unless the client already started sending the body.
 *
 * Confinement: the connection's task only.
 */
final class BodyInput extends InputStream {

    private enum Mode { NONE, LENGTH, CHUNKED }

    private final Connection conn;
    private final Limits limits;
    private Mode mode = Mode.NONE;
    private long remaining;
    /** Bytes of this body received: data, and chunk extensions. */
    private long total;
    private boolean eof;
    private boolean firstChunk;
    private boolean continuePending;
    /** System.nanoTime() of the first socket read of this body; 0 before it. */
    private long started;
    /** Nanoseconds this body's socket reads have waited for the client. */
    private long waited;

    BodyInput(Connection conn, Limits limits) {
        this.conn = conn;
        this.limits = limits;
    }

    void begin(HttpRequest req) {
        total = 0;
        started = 0;
        waited = 0;
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
            n = call(deadline -> conn.readDirect(b, off, want, deadline));
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
        count(n);
        if (mode == Mode.LENGTH && remaining == 0) {
            eof = true;
        }
        return n;
    }

    /** Adds {@code n} bytes to the body's total; 413 past the body limit. */
    private void count(long n) throws HttpException {
        total += n;
        if (total > limits.maxBodySize()) {
            throw new HttpException(413, "body larger than " + limits.maxBodySize() + " bytes");
        }
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
            int end = line(ChunkedFraming.MAX_LINE, 400);
            if (end != conn.pos) {
                throw new HttpException(400, "chunk data longer than its size");
            }
            conn.pos = lineAfter(end);
        }
        firstChunk = false;
        int end = line(ChunkedFraming.MAX_LINE, 400);
        long size = ChunkedFraming.chunkSize(conn.in, conn.pos, end);
        int lineLength = end - conn.pos;
        conn.pos = lineAfter(end);
        // a chunk line's bytes beyond the longest size (its extensions) count as body, so that
        // framing cannot multiply what a client may send
        count(Math.max(0, lineLength - ChunkedFraming.MAX_SIZE_DIGITS));
        if (size > limits.maxBodySize() - total) {
            throw new HttpException(413, "body larger than " + limits.maxBodySize() + " bytes");
        }
        if (size == 0) {
            trailers();
            eof = true;
            return;
        }
        remaining = size;
    }

    /** Checks and drops trailer fields up to the blank line; 431 past the header size or count limit. */
    private void trailers() throws IOException {
        int bytes = 0;
        int fields = 0;
        while (true) {
            int end = line(limits.maxHeaderSize(), 431);
            if (end == conn.pos) {
                conn.pos = lineAfter(end);
                return;
            }
            bytes += end - conn.pos;
            if (bytes > limits.maxHeaderSize()) {
                throw new HttpException(431, "trailer fields larger than " + limits.maxHeaderSize() + " bytes");
            }
            if (++fields > limits.maxHeaderCount()) {
                throw new HttpException(431, "more than " + limits.maxHeaderCount() + " trailer fields");
            }
            ChunkedFraming.trailerField(conn.in, conn.pos, end);
            conn.pos = lineAfter(end);
        }
    }

    /**
     * The end of the line at {@code conn.pos} (reading more if needed): the index of its CR
     * if it ends with CRLF, else of its LF. {@code status} if the line, without its end,
     * would be longer than {@code limit} bytes.
     */
    private int line(int limit, int status) throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = conn.pos + scanned; i < conn.lim; i++) {
                if (conn.in[i] == '\n') {
                    int end = i > conn.pos && conn.in[i - 1] == '\r' ? i - 1 : i;
                    if (end - conn.pos > limit) {
                        break;
                    }
                    return end;
                }
            }
            scanned = conn.lim - conn.pos;
            if (scanned > limit + 1) {
                throw new HttpException(status, (status == 431 ? "trailer field" : "chunk line") + " longer than " + limit + " bytes");
            }
            if (fillOnce() < 0) {
                throw truncated();
            }
        }
    }

    /** The index after the line end at {@code end} (the CR of a CRLF, or a LF). */
    private int lineAfter(int end) {
        return conn.in[end] == '\n' ? end + 1 : end + 2;
    }

    private int fillOnce() throws IOException {
        return call(conn::fill);
    }

    private interface Read {
        int run(long deadlineNanos) throws IOException;
    }

    /** One socket read of the body, waiting at most until the earliest of its deadlines (see the overview). */
    private int call(Read r) throws IOException {
        long now = System.nanoTime();
        if (started == 0) {
            started = now;
        }
        long deadline = 0;
        String why = null;
        long readTimeout = Limits.nanos(limits.readTimeout());
        if (readTimeout != 0) {
            deadline = now + readTimeout;
            why = "request body not received within " + limits.readTimeout();
        }
        long bodyTimeout = Limits.nanos(limits.bodyTimeout());
        if (bodyTimeout != 0 && (deadline == 0 || started + bodyTimeout - deadline < 0)) {
            deadline = started + bodyTimeout;
            why = "request body not received within " + limits.bodyTimeout();
        }
        DataRate rate = limits.minRequestBodyRate();
        if (rate.enabled()) {
            long credit = rate.creditNanos(total, waited);
            if (deadline == 0 || now + credit - deadline < 0) {
                deadline = now + credit;
                why = "request body arrived slower than " + rate;
            }
        }
        if (deadline != 0 && deadline - now <= 0) {
            throw new HttpException(408, why);
        }
        try {
            return r.run(deadline);
        } catch (java.net.SocketTimeoutException e) {
            throw new HttpException(408, why);
        } finally {
            waited += System.nanoTime() - now;
        }
    }

    private IOException truncated() {
        conn.broken = true;
        return new EOFException("request body ended early (the client closed the connection)");
    }
}
