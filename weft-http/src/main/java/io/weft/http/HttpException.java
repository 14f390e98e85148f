package io.weft.http;

import java.io.IOException;

/**
 * A request the server will not serve, with the status to answer: a malformed request
 * (400), a limit exceeded (413, 414, 431), a version or transfer coding it does not speak
 * (505, 501), a client too slow (408). Thrown by the parser, by a request body's stream
 * (a chunked body over the size limit, a malformed chunk), and by handlers that want a
 * given status; the server answers with it and closes the connection.
 */
public final class HttpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public HttpException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("not an error status: " + status);
        }
        this.status = status;
    }

    /** The response status, 400-599. */
    public int status() {
        return status;
    }
}
