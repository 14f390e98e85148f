package io.weft.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately plain HTTP/1.1 client for tests: a JDK socket, bytes written as given,
 * responses read and framed by hand, so that what the server sends is checked byte for
 * byte rather than through another HTTP library's leniency. Every read times out.
 */
final class RawClient implements AutoCloseable {

    /** The server closed the connection cleanly between responses: before the first byte of the next one. */
    static final class ClosedBetweenResponses extends EOFException {
        private static final long serialVersionUID = 1L;

        ClosedBetweenResponses() {
            super("the server closed the connection before a response began");
        }
    }

    /** What the server sent is not a well-formed HTTP/1.1 response. */
    static final class MalformedResponse extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedResponse(String message) {
            super(message);
        }
    }

    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.connect(server, 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    RawClient send(String s) throws IOException {
        return send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    /** Sends FIN: the server reads end of stream after what was sent. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Reads one response; the body is framed by Content-Length, chunked, or the close (for
     * HEAD pass head = true). Strict: an end of stream before the response's first byte is
     * {@link ClosedBetweenResponses}; anywhere else inside a response, an {@link EOFException};
     * anything malformed, a {@link MalformedResponse}.
     */
    Response read() throws IOException {
        return read(false);
    }

    Response read(boolean head) throws IOException {
        in.mark(1);
        if (in.read() < 0) {
            throw new ClosedBetweenResponses();
        }
        in.reset();
        String statusLine = line();
        if (!statusLine.matches("HTTP/1\\.1 [1-5][0-9][0-9] .*")) {
            throw new MalformedResponse("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l; !(l = line()).isEmpty(); ) {
            int c = l.indexOf(':');
            if (c <= 0 || !l.substring(0, c).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new MalformedResponse("not a header field: " + l);
            }
            headers.merge(l.substring(0, c).toLowerCase(Locale.ROOT), l.substring(c + 1).strip(), (a, b) -> a + ", " + b);
        }
        if (headers.containsKey("content-length") && headers.containsKey("transfer-encoding")) {
            throw new MalformedResponse("both Content-Length and Transfer-Encoding: " + headers);
        }
        byte[] body;
        if (head || status == 100 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (headers.containsKey("content-length")) {
            String length = headers.get("content-length");
            if (!length.matches("[0-9]{1,9}")) {
                throw new MalformedResponse("bad Content-Length: " + length);
            }
            body = exactly(Integer.parseInt(length));
        } else if (headers.containsKey("transfer-encoding")) {
            if (!"chunked".equals(headers.get("transfer-encoding"))) {
                throw new MalformedResponse("unexpected Transfer-Encoding: " + headers.get("transfer-encoding"));
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line();
                if (!sizeLine.matches("[0-9a-fA-F]{1,8}")) {
                    throw new MalformedResponse("bad chunk size line: " + sizeLine);
                }
                int size = Integer.parseInt(sizeLine, 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                all.write(exactly(size));
                if (!line().isEmpty()) {
                    throw new MalformedResponse("chunk not followed by CRLF");
                }
            }
            body = all.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    /** True if the server closed the connection (end of stream) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset: closed too
        }
    }

    /** Exactly {@code n} bytes; an end of stream first is an {@link EOFException}. */
    private byte[] exactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("end of stream after " + b.length + " of " + n + " body bytes");
        }
        return b;
    }

    /** True if a byte arrived that has not been read (without blocking). */
    boolean hasInput() throws IOException {
        return in.available() > 0;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("end of stream after '" + sb + "'");
            }
            if (c == '\n') {
                if (sb.isEmpty() || sb.charAt(sb.length() - 1) != '\r') {
                    throw new MalformedResponse("a line not ended by CRLF: '" + sb + "'");
                }
                sb.setLength(sb.length() - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
