package io.weft.bench.http;

import io.weft.bench.echo.ContenderUnavailableException;
import io.weft.bench.echo.EchoServerMain;

import java.io.IOException;
import java.io.PrintStream;

/**
 * The process that runs one contender's HTTP server for the harness, pinned to the server
 * core; it speaks {@link EchoServerMain}'s protocol: one line {@code PORT <port> <info>}
 * (or {@code UNAVAILABLE <reason>} and exit 3), serve until standard input ends, exit 0.
 */
public final class HttpServerMain {
    private HttpServerMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        if (args.length != 1) {
            System.err.println("usage: HttpServerMain CONTENDER (one of " + String.join(", ", HttpContender.ids()) + ")");
            System.exit(2);
        }
        BenchHttpServer server;
        try {
            server = BenchHttpServer.start(HttpContender.byId(args[0]));
        } catch (ContenderUnavailableException e) {
            out.println(EchoServerMain.UNAVAILABLE + " " + EchoServerMain.oneLine(e.getMessage()));
            out.flush();
            System.exit(EchoServerMain.EXIT_UNAVAILABLE);
            return;
        }
        out.println(EchoServerMain.PORT + " " + server.port() + " " + EchoServerMain.oneLine(server.info()));
        out.flush();
        try {
            while (System.in.read() >= 0) {
                // the harness writes nothing; end of file is the signal to stop
            }
        } catch (IOException e) {
            // the harness went away: stop as well
        }
        server.close();
        System.exit(0);
    }
}
