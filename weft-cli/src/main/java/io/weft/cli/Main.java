package io.weft.cli;

import io.weft.cli.soak.Soak;
import io.weft.cli.soak.SoakOptions;

import java.io.Console;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code weft} command's entry point: {@code weft <command> [options]}. The launcher
 * script runs it with the JVM flags the runtime needs.
 *
 * <p>Exit codes: 0 success, 1 the command ran and failed (or could not start its
 * runtime), 2 the command line was wrong.
 */
public final class Main {
    private Main() {
    }

    static final String USAGE = """
            usage: weft <command> [options]

            commands:
              %s
                  echo server and clients in one runtime over loopback; prints throughput,
                  round-trip latency, CPU per message, and how many echoes were verified
                  (defaults: 10 s, 64 connections, 64 bytes, the runtime's default backend)
              %s
                  round-trip cost of two tasks handing a turn back and forth on one loop,
                  against two virtual threads and two platform threads doing the same
              %s
                  HTTP/1.1 server with the TechEmpower endpoints GET /plaintext and GET /json
                  (defaults: 127.0.0.1:8080, one loop per core); runs until SIGINT or SIGTERM
              %s
                  pub/sub server for channels of shared-memory slots (default socket
                  $XDG_RUNTIME_DIR/weft-pubsub, else /tmp/weft-pubsub-UID/socket)
              %s
                  the channels with their counters; stdin's lines as messages; messages as they arrive
              %s
                  reliability soak: many connections held with a checked message a second,
                  Runtime.shutdown under load, misbehaving clients; on each backend, with a
                  second JVM as the clients (defaults: 60 s, 10,000 connections, every backend
                  and scenario); results in bench-results/soak.json (-Dweft.soak.out)
              help
                  this text
            """.formatted(DemoOptions.USAGE, PingPong.USAGE, ServeHttp.USAGE, PubSubCommand.SERVE_USAGE, PubSubCommand.USAGE, SoakOptions.USAGE);

    public static void main(String[] args) {
        // The runtime logs one line at start-up; the JDK's default format spends two lines on it.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "[%4$s] %5$s%6$s%n");
        }
        Console console = System.console();
        System.exit(run(args, System.out, System.err, console != null && console.isTerminal()));
    }

    /**
     * Runs one command.
     *
     * @param terminal true if progress may rewrite its line in place
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (List.of(rest).contains("--help") || List.of(rest).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        try {
            return switch (command) {
                case "demo" -> EchoDemo.execute(DemoOptions.parse(rest), out, err, terminal);
                case "pingpong" -> PingPong.execute(PingPong.Options.parse(rest), out, err);
                case "serve" -> rest.length > 0 && rest[0].equals("pubsub") ? PubSubCommand.serve(rest, out, err)
                        : ServeHttp.execute(ServeHttp.Options.parse(rest), out, err);
                case "pubsub" -> PubSubCommand.execute(rest, System.in, out, err);
                case "soak" -> Soak.execute(SoakOptions.parse(rest), out, err);
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> {
                    err.println("weft: unknown command '" + command + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (UsageException e) {
            err.println("weft " + command + ": " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }
}
