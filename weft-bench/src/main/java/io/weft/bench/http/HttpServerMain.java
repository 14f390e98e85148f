package io.weft.bench.http;

import io.weft.bench.echo.EchoServerMain;


/**
 * The process that runs one contender's HTTP server for the harness, pinned to the server
 * core; it speaks {@link EchoServerMain}'s protocol: one line {@code PORT <port> <info>}
 * (or {@code UNAVAILABLE <reason>} and exit 3), serve until standard input ends, exit 0.
 */
public final class HttpServerMain {
    private HttpServerMain() {
    }

    public static void main(String[] args) throws Exception {
        EchoServerMain.serve("HttpServerMain", args, HttpContender.ids(), id -> BenchHttpServer.start(HttpContender.byId(id)));
    }
}
