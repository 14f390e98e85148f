package io.weft.cli;

import io.weft.Runtime;
import io.weft.http.HttpServer;
import io.weft.http.Router;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code weft serve http}: the HTTP server with the TechEmpower plaintext and json
 * endpoints, until the process is told to stop (SIGINT, SIGTERM); then it finishes the
 * requests in flight (up to 5 s) and exits 0.
 */
final class ServeHttp {
    private ServeHttp() {
    }

    static final String USAGE = "serve http [--port N] [--host ADDR] [--loops N] [--backend " + String.join("|", DemoOptions.BACKENDS) + "]";
    static final Duration GRACE = Duration.ofSeconds(5);

    record Options(String host, int port, int loops, String backend) {
        static Options parse(String[] args) throws UsageException {
            if (args.length == 0 || !args[0].equals("http")) {
                throw new UsageException("serve needs a protocol: 'serve http' or 'serve pubsub'");
            }
            Args a = Args.parse(java.util.Arrays.copyOfRange(args, 1, args.length), Set.of("port", "host", "loops", "backend"));
            return new Options(a.string("host", "127.0.0.1"), a.intValue("port", 8080, 0, 65535),
                    a.intValue("loops", java.lang.Runtime.getRuntime().availableProcessors(), 1, 1024),
                    a.choice("backend", DemoOptions.BACKENDS));
        }
    }

    /**
     * The TechEmpower endpoints: {@code GET /plaintext} answers {@code Hello, World!},
     * {@code GET /json} answers {@code {"message":"Hello, World!"}}, the body built for each
     * request as the benchmark's rules ask.
     */
    static Router endpoints() {
        byte[] plaintext = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
        return new Router()
                .get("/plaintext", (req, res) -> res.contentType("text/plain").send(plaintext))
                .get("/json", (req, res) -> res.contentType("application/json")
                        .send("{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII)));
    }

    static int execute(Options o, PrintStream out, PrintStream err) {
        Runtime.Builder b = Runtime.builder().loops(o.loops()).name("weft-http");
        if (o.backend() != null) {
            b.backend(o.backend());
        }
        Runtime rt;
        try {
            rt = b.build();
        } catch (UnsupportedOperationException e) {
            err.println("weft serve: backend '" + o.backend() + "' is unavailable: " + e.getMessage());
            return 1;
        }
        HttpServer server;
        try {
            server = HttpServer.builder().address(new InetSocketAddress(o.host(), o.port()))
                    .handler(endpoints()).build().start(rt);
        } catch (IOException e) {
            err.println("weft serve: " + e.getMessage());
            rt.shutdown(Duration.ZERO);
            return 1;
        }
        out.println("serving http://" + server.localAddress().getHostString() + ":" + server.port()
                + "/plaintext and /json (backend " + rt.backend() + ", " + rt.loopCount() + " loop(s), scheduler "
                + rt.schedulerMode() + "); Ctrl-C stops");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean clean = server.shutdown(GRACE);
            rt.shutdown(Duration.ofSeconds(1));
            out.println(clean ? "stopped" : "stopped; connections still busy after " + GRACE.toSeconds() + " s were closed");
            stopped.countDown();
        }, "weft-serve-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
