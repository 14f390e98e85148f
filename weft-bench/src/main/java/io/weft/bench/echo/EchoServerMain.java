package io.weft.bench.echo;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * The process that runs one contender's echo server, started by the harness (pinned to
 * the server core). Talks to the harness through its standard streams:
 *
 * <ol>
 *   <li>prints one line: {@code PORT <port> <info>} once listening on 127.0.0.1, or
 *       {@code UNAVAILABLE <reason>} (exit status 3) when the contender cannot run here;</li>
 *   <li>serves until its standard input reaches end of file (the harness closes it),</li>
 *   <li>closes the server and exits 0.</li>
 * </ol>
 *
 * Anything else it has to say (logs, stack traces) goes to standard error, which the
 * harness keeps in a log file.
 */
public final class EchoServerMain {
    private EchoServerMain() {
    }

    public static final String PORT = "PORT";
    public static final String UNAVAILABLE = "UNAVAILABLE";
    public static final int EXIT_UNAVAILABLE = 3;

    public static void main(String[] args) throws Exception {
        serve("EchoServerMain", args, Contender.ids(), id -> EchoServer.start(Contender.byId(id)));
    }

    /** The protocol above, for the server {@code starter} makes from the one argument (one of {@code ids}). */
    public static void serve(String mainName, String[] args, List<String> ids, ChildServer.Starter starter) throws Exception {
        PrintStream out = System.out;
        if (args.length != 1 || !ids.contains(args[0])) {
            System.err.println("usage: " + mainName + " CONTENDER (one of " + String.join(", ", ids) + ")");
            System.exit(2);
        }
        ChildServer server;
        try {
            server = starter.start(args[0]);
        } catch (ContenderUnavailableException e) {
            out.println(UNAVAILABLE + " " + oneLine(e.getMessage()));
            out.flush();
            System.exit(EXIT_UNAVAILABLE);
            return;
        }
        out.println(PORT + " " + server.port() + " " + oneLine(server.info()));
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

    public static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
