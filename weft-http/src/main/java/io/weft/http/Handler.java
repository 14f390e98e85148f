package io.weft.http;

/**
 * Serves one request, in blocking style, in its connection's task.
 *
 * <pre>{@code
 * Handler hello = (req, res) -> res.header("Content-Type", "text/plain").send("Hello, " + req.pathParam("name"));
 * }</pre>
 *
 * <p>The request and the response are valid only until the handler returns (the
 * connection reuses them for its next request). A handler that returns without sending
 * anything sends its status (200 unless set) with an empty body. An exception it throws
 * becomes a 500, or the status of an {@link HttpException}, if nothing was sent yet;
 * otherwise the connection is closed, since the response cannot be completed.
 */
@FunctionalInterface
public interface Handler {
    void handle(HttpRequest request, HttpResponse response) throws Exception;
}
