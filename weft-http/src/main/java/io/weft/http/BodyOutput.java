package io.weft.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A streamed response body: writes become chunks (Transfer-Encoding: chunked), or bytes
 * counted against a declared Content-Length, or plain bytes before a close (HTTP/1.0).
 * The head goes out with the first write, flush or close. Connection task only.
 */
final class BodyOutput extends OutputStream {

    private final HttpResponse response;
    private final Connection conn;
    private boolean chunked;
    private boolean closed;
    private long written;
    private final byte[] chunkHead = new byte[20];

    BodyOutput(HttpResponse response, Connection conn) {
        this.response = response;
        this.conn = conn;
    }

    /** Called when the head is written. */
    void framing(boolean chunked) {
        this.chunked = chunked;
    }

    private void start() throws IOException {
        if (closed) {
            throw new IOException("response body already closed");
        }
        if (!response.isCommitted()) {
            response.writeHead(true);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        start();
        if (len == 0 || !response.hasBody()) {
            return;
        }
        long declared = response.declaredLength();
        if (declared >= 0 && written + len > declared) {
            response.abandonConnection(); // the framing is now wrong: the connection cannot be reused
            throw new IOException("response body longer than its Content-Length " + declared);
        }
        written += len;
        if (chunked) {
            int p = Ascii.putHex(chunkHead, 0, len);
            chunkHead[p++] = '\r';
            chunkHead[p++] = '\n';
            conn.write(chunkHead, 0, p);
            conn.write(b, off, len);
            conn.write(chunkHead, p - 2, 2);
        } else {
            conn.write(b, off, len);
        }
    }

    /** Sends what is buffered now (the head, if nothing else). */
    @Override
    public void flush() throws IOException {
        start();
        conn.flush();
    }

    /** Ends the body (the last chunk); the response is complete. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        start();
        closed = true;
        if (chunked && response.hasBody()) {
            conn.write(LAST_CHUNK, 0, LAST_CHUNK.length);
        }
        long declared = response.declaredLength();
        if (declared >= 0 && written < declared && response.hasBody()) {
            response.abandonConnection();
            throw new IOException("response body shorter (" + written + " bytes) than its Content-Length " + declared);
        }
    }

    private static final byte[] LAST_CHUNK = Ascii.bytes("0\r\n\r\n");
}
