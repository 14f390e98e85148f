package io.weft.http;

import io.weft.Deadline;
import io.weft.net.TcpStream;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection, served by one task from its first request to its close: reads
 * request heads, runs the handler for each, writes the responses.
 */
/*
 * Overview
 *
 * Buffers. One read buffer `in` holds bytes received and not yet consumed, [pos, lim);
 * it starts small and grows, at most to the limits' head size, only while a head does
 * not fit. One write buffer `out` collects response bytes, [0, outLen). Neither exists
 * before the connection's first byte: the first read waits for readability with no
 * buffer (SocketStream.awaitReadable), and `out` comes with the first response, so a
 * connection that is opened and never used holds no buffer, nor the request, response
 * and body objects, which are made with `in`. From then on both buffers live as long as
 * the connection, so a request costs no buffer allocation.
 *
 * The serve loop, per request:
 *   1. readHead: find the end of the next head in `in` (RequestParser.findHeadEnd,
 *      resuming its scan), reading more only when it is not all there. Before a read
 *      that may block, responses waiting in `out` are written: so a batch of pipelined
 *      requests that arrived together is answered with one write.
 *   2. parse it into the reused HttpRequest; a bad head is answered with its 4xx and the
 *      connection closes.
 *   3. run the handler; the response is appended to `out` (large bodies go to the socket).
 *   4. drain what the handler left of the body, up to the limits' drain size; keep the
 *      connection if the request and the response allow it.
 *
 * Timeouts. The two on the hot path, idle (waiting for the next request) and write, are
 * not deadlines on the socket ops: on io_uring each deadline is a linked timeout, an extra
 * kernel timer and completion for every read and write. Instead the connection records
 * idleDeadline and writeDeadline, and the server's sweeper task, a few times per timeout,
 * closes the connections past them (HttpServer overview). An idle connection closes
 * silently; a stuck write fails and ends the task. The rare waits keep real deadlines:
 * from a request's first byte, its whole head must arrive within the read timeout (one
 * deadline, not one per read), else 408, so a client that trickles a byte every few
 * seconds (slowloris) cannot hold the task; body reads are bounded by the read timeout,
 * the body timeout and the minimum body data rate (BodyInput). A response's writes are
 * bounded by the write timeout each and by the minimum response data rate: the time
 * spent in this response's writes may exceed the grace only by what the bytes written
 * (this write's included) earn at that rate. The sweeper enforces the earlier of the two
 * through writeDeadline.
 *
 * Shutdown. `state` (below) tells the server whether the connection waits between
 * requests. HttpServer.shutdown sets `draining` and then closes every IDLE connection;
 * a connection sets IDLE and then reads `draining`. Both are volatile accesses, so one of
 * the two sides sees the other's write (the Dekker pattern): either the server closes
 * the connection, or the connection sees `draining` and stops. A BUSY connection finishes
 * its request, answers with Connection: close, and stops.
 *
 * Confinement: everything but `state` belongs to the connection's task.
 */
final class Connection {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    static final int IDLE = 0;
    static final int BUSY = 1;
    static final int CLOSED = 2;

    private static final int INITIAL_IN = 4096;
    private static final int OUT_SIZE = 16 * 1024;
    /** Body reads at least this long with nothing buffered go straight into the caller's array. */
    private static final int DIRECT_READ = 4096;
    /** Most blank lines skipped before a request line (RFC 9112 2.2 asks to allow at least one). */
    private static final int MAX_LEADING_BLANK = 8;
    private static final byte[] CONTINUE_100 = Ascii.bytes("HTTP/1.1 100 Continue\r\n\r\n");

    private final HttpServer server;
    private final Limits limits;
    private final TcpStream stream;
    private final InetSocketAddress remote;
    /**
     * IDLE while waiting for a request's first byte, BUSY while serving one, CLOSED once the
     * server has closed the connection. Written by the connection's task (IDLE, BUSY) and by
     * HttpServer.shutdown (IDLE to CLOSED, by CAS); volatile accesses, see the overview.
     */
    final AtomicInteger state = new AtomicInteger(BUSY);
    /**
     * While IDLE: the System.nanoTime() after which the connection has idled too long.
     * Written by the connection's task before it sets IDLE (the CAS on `state` publishes it);
     * read by the sweeper after it reads IDLE. Plain field: the volatile accesses of `state`
     * order it.
     */
    long idleDeadline;
    /**
     * The System.nanoTime() by which the write in progress must finish; 0 while no write
     * is in progress. Written by the connection's task around each socket write, read by
     * the sweeper; volatile, since no other access orders it.
     */
    volatile long writeDeadline;

    private static final byte[] NO_BUFFER = new byte[0];

    byte[] in = NO_BUFFER;
    int pos;
    int lim;
    byte[] out = NO_BUFFER;
    int outLen;
    /** Bytes of the current response written to the socket, and nanoseconds spent writing them (the response data rate). */
    private long responseWritten;
    private long responseWaited;

    // Created with the buffers, on the first byte (see the overview).
    private HttpRequest request;
    private HttpResponse response;
    private BodyInput body;
    private TargetCache targets;
    /** True while a handler runs: the request's head must be detached before `in` changes. */
    private boolean requestLive;
    /** The socket failed (reset, closed, timed out): write nothing more. */
    boolean broken;

    Connection(HttpServer server, TcpStream stream) {
        this.server = server;
        this.limits = server.limits();
        this.stream = stream;
        this.remote = stream.remoteAddress();
    }

    /** Bytes of read and write buffer this connection holds. */
    int bufferBytes() {
        return in.length + out.length;
    }

    byte[] readBuffer() {
        return in;
    }

    InetSocketAddress remoteAddress() {
        return remote;
    }

    HttpResponse response() {
        return response;
    }

    InputStream bodyInput() {
        return body;
    }

    long maxDrainSize() {
        return limits.maxDrainSize();
    }

    boolean draining() {
        return server.isDraining();
    }

    // ---- the serve loop -------------------------------------------------------------------

    void serve() {
        try {
            while (readHead()) {
                if (!exchange()) {
                    break;
                }
            }
            if (!broken) {
                flush();
            }
        } catch (SocketException | SocketTimeoutException | CancellationException e) {
            // the client went away, was too slow to take its response, or the server forced shutdown
        } catch (IOException e) {
            if (!stream.isClosed() && state.get() != CLOSED) {
                LOG.log(System.Logger.Level.DEBUG, "connection from " + remote + " failed: " + e);
            }
        } finally {
            close();
        }
    }

    /** Closes the socket. Idempotent; any thread. */
    void close() {
        try {
            stream.close();
        } catch (IOException e) {
            // nothing can be done about a failed close of a socket we are done with
        }
    }

    /**
     * Called by the sweeper: closes the connection if it has waited for its next request
     * past the idle timeout, or has not finished a write by the write timeout. Any thread.
     */
    void sweep(long now) {
        if (state.get() == IDLE && now - idleDeadline > 0) {
            closeIfIdle();
        }
        long wd = writeDeadline;
        if (wd != 0 && now - wd > 0) {
            close(); // the client does not take its response: the pending write fails and the task ends
        }
    }

    /** Closes the connection if it waits between requests; true if it did. Any thread. */
    boolean closeIfIdle() {
        if (state.compareAndSet(IDLE, CLOSED)) {
            close();
            return true;
        }
        return false;
    }

    /**
     * Reads and parses the next request head. False when the connection should end without
     * a response: end of stream or idle timeout before a request began, or shutdown.
     */
    private boolean readHead() throws IOException {
        int skipped = 0;
        int scanned = 0; // bytes after pos already searched for the head's end
        long headDeadline = pos < lim ? deadlineAfter(limits.readTimeout()) : 0;
        while (true) {
            while (pos < lim && skipped < MAX_LEADING_BLANK && (in[pos] == '\r' || in[pos] == '\n')) {
                pos++;
                skipped++;
            }
            if (pos < lim) {
                int end = RequestParser.findHeadEnd(in, pos + Math.max(0, scanned - 2), lim);
                if (end > 0) {
                    try {
                        RequestParser.parse(in, pos, end, request, limits, targets);
                    } catch (HttpException e) {
                        reject(e.status(), e.getMessage());
                        return false;
                    }
                    pos = end;
                    return true;
                }
                scanned = lim - pos;
                HttpException tooLong = headTooLong();
                if (tooLong != null) {
                    reject(tooLong.status(), tooLong.getMessage());
                    return false;
                }
            }
            boolean waiting = pos == lim; // no byte of the next request yet
            if (waiting) {
                // write the responses out while still BUSY: once IDLE, shutdown may close the
                // socket at any moment, and they must not be lost to that
                flush();
                long idle = Limits.nanos(limits.idleTimeout());
                idleDeadline = idle == 0 ? Long.MAX_VALUE : System.nanoTime() + idle;
                if (!state.compareAndSet(BUSY, IDLE) || draining()) {
                    return false;
                }
            }
            int n;
            try {
                // an idle read takes no deadline: the server's sweeper closes the connection
                // when idleDeadline passes, which costs nothing per read
                n = fill(waiting ? 0 : headDeadline);
            } catch (SocketTimeoutException e) {
                if (waiting) {
                    return false; // idle too long between requests
                }
                flush();
                reject(408, "request head not received within " + limits.readTimeout());
                return false;
            } catch (SocketException e) {
                if (state.get() == CLOSED) {
                    return false; // closed while idle, by shutdown or the sweeper
                }
                throw e;
            }
            if (waiting && !state.compareAndSet(IDLE, BUSY)) {
                return false;
            }
            if (n < 0) {
                return false; // end of stream: between requests a normal close; mid-head nothing to answer
            }
            if (waiting) {
                headDeadline = deadlineAfter(limits.readTimeout());
            }
        }
    }

    /** The 414 or 431 for an unfinished head that is already too long; null while it may still fit. */
    private HttpException headTooLong() {
        int firstLine = -1;
        int lineLimit = Math.min(lim, pos + limits.maxRequestLineLength() + 2);
        for (int i = pos; i < lineLimit; i++) {
            if (in[i] == '\n') {
                firstLine = i;
                break;
            }
        }
        if (firstLine < 0 && lim - pos > limits.maxRequestLineLength() + 1) {
            return new HttpException(414, "request line longer than " + limits.maxRequestLineLength() + " bytes");
        }
        if (lim - pos >= limits.maxHeadBytes()) {
            return new HttpException(431, "request head larger than " + limits.maxHeadBytes() + " bytes");
        }
        return null;
    }

    /** Runs the handler for the parsed request; true if the connection may serve another. */
    private boolean exchange() throws IOException {
        requestLive = true;
        body.begin(request);
        response.begin();
        responseWritten = 0;
        responseWaited = 0;
        boolean ok;
        try {
            server.handler().handle(request, response);
            response.finish();
            ok = true;
        } catch (CancellationException e) {
            throw e;
        } catch (Throwable t) {
            ok = fail(t);
        } finally {
            requestLive = false;
        }
        if (!ok || broken || response.closesConnection()) {
            return false;
        }
        return body.drain(limits.maxDrainSize());
    }

    /** Answers a handler's failure if nothing was sent yet; false: the connection must close. */
    private boolean fail(Throwable t) throws IOException {
        if (broken) {
            return false;
        }
        if (t instanceof Error && !(t instanceof AssertionError)) {
            LOG.log(System.Logger.Level.ERROR, "handler for " + request + " failed", t);
        }
        int status;
        String message;
        if (t instanceof HttpException he) {
            status = he.status();
            message = he.getMessage();
        } else {
            status = 500;
            message = "internal server error";
            LOG.log(System.Logger.Level.WARNING, "handler for " + request + " from " + remote + " failed", t);
        }
        if (!response.isCommitted()) {
            reject(status, message);
        }
        return false;
    }

    /** Appends an error response that closes the connection, and writes out everything pending. */
    private void reject(int status, String message) throws IOException {
        if (broken) {
            return;
        }
        response.begin();
        response.status(status).header("Content-Type", "text/plain; charset=utf-8").closeConnection();
        response.send((message == null ? HttpStatus.reason(status) : message) + "\n");
        flush();
    }

    // ---- buffers ----------------------------------------------------------------------------

    /**
     * Reads more into {@code in} until {@code deadlineNanos} (0: none), first writing out
     * pending responses and making room. Returns the count, or -1 at end of stream.
     */
    int fill(long deadlineNanos) throws IOException {
        if (outLen > 0) {
            flush();
        }
        if (in.length == 0) {
            // the connection's first data: wait for it before the buffer exists
            try {
                stream.awaitReadable(deadlineNanos == 0 ? Deadline.NONE : Deadline.atNanoTime(deadlineNanos));
            } catch (IOException e) {
                if (!(e instanceof SocketTimeoutException)) {
                    broken = true;
                }
                throw e;
            }
            in = new byte[INITIAL_IN];
            request = new HttpRequest(this);
            response = new HttpResponse(this, request, server.serverLine());
            body = new BodyInput(this, limits);
            targets = new TargetCache();
        }
        if (lim == in.length) {
            if (pos > 0) {
                if (requestLive) {
                    request.detach();
                }
                System.arraycopy(in, pos, in, 0, lim - pos);
                lim -= pos;
                pos = 0;
            } else {
                int cap = Math.max(limits.maxHeadBytes(), INITIAL_IN);
                if (in.length >= cap) {
                    throw new IllegalStateException("read buffer full at its limit"); // headTooLong rejects first
                }
                if (requestLive) {
                    request.detach();
                }
                in = java.util.Arrays.copyOf(in, Math.min(cap, in.length * 2));
            }
        }
        int n;
        try {
            n = stream.read(in, lim, in.length - lim, deadlineNanos == 0 ? Deadline.NONE : Deadline.atNanoTime(deadlineNanos));
        } catch (IOException e) {
            if (!(e instanceof SocketTimeoutException)) {
                broken = true;
            }
            throw e;
        }
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    /** Reads straight into {@code b}, bypassing {@code in} (which must be empty). */
    int readDirect(byte[] b, int off, int len, long deadlineNanos) throws IOException {
        if (outLen > 0) {
            flush();
        }
        try {
            return stream.read(b, off, len, deadlineNanos == 0 ? Deadline.NONE : Deadline.atNanoTime(deadlineNanos));
        } catch (IOException e) {
            if (!(e instanceof SocketTimeoutException)) {
                broken = true;
            }
            throw e;
        }
    }

    /** Makes room for {@code n} more bytes in {@code out}, writing it out or growing it. */
    void reserve(int n) throws IOException {
        if (out.length == 0) {
            out = new byte[OUT_SIZE];
        }
        if (outLen + n <= out.length) {
            return;
        }
        flush();
        if (n > out.length) {
            out = java.util.Arrays.copyOf(out, n);
        }
    }

    /** Appends {@code b[off..off+len)} to the response bytes; a large block goes straight to the socket. */
    void write(byte[] b, int off, int len) throws IOException {
        if (out.length == 0) {
            out = new byte[OUT_SIZE];
        }
        if (outLen + len <= out.length) {
            System.arraycopy(b, off, out, outLen, len);
            outLen += len;
            return;
        }
        flush();
        if (len >= out.length / 2) {
            writeSocket(b, off, len);
        } else {
            System.arraycopy(b, off, out, 0, len);
            outLen = len;
        }
    }

    /** Writes out the pending response bytes. */
    void flush() throws IOException {
        if (outLen > 0) {
            int n = outLen;
            outLen = 0;
            writeSocket(out, 0, n);
        }
    }

    private void writeSocket(byte[] b, int off, int len) throws IOException {
        if (broken) {
            throw new SocketException("connection from " + remote + " is broken");
        }
        long now = System.nanoTime();
        long allowed = Limits.nanos(limits.writeTimeout());
        DataRate rate = limits.minResponseRate();
        if (rate.enabled()) {
            long credit = Math.max(1, rate.creditNanos(responseWritten + len, responseWaited));
            allowed = allowed == 0 ? credit : Math.min(allowed, credit);
        }
        if (allowed != 0) {
            writeDeadline = now + allowed;
        }
        try {
            stream.writeAll(b, off, len, Deadline.NONE); // the sweeper enforces writeDeadline
        } catch (IOException e) {
            broken = true;
            throw e;
        } finally {
            if (allowed != 0) {
                writeDeadline = 0;
            }
            responseWaited += System.nanoTime() - now;
        }
        responseWritten += len;
    }

    /** Sends {@code 100 Continue} now (with any responses before it). */
    void sendContinue() throws IOException {
        write(CONTINUE_100, 0, CONTINUE_100.length);
        flush();
    }

    static long deadlineAfter(java.time.Duration d) {
        long n = Limits.nanos(d);
        return n == 0 ? 0 : System.nanoTime() + n;
    }

    @Override
    public String toString() {
        return "http connection from " + remote;
    }
}
