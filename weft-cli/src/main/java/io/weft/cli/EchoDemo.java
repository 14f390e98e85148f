package io.weft.cli;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Scope;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.TcpListener;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code weft demo}: an echo server and its clients in one runtime, over loopback. Every
 * echoed byte is checked; the report gives throughput, round-trip latency percentiles and
 * CPU time per message.
 */
/*
 * Overview
 *
 *   main thread                          runtime
 *   ───────────                          ───────
 *   build the runtime (--backend)
 *   spawn the coordinator  ───────────►  bind 127.0.0.1:0; spawn EchoServer.serve
 *   ProgressLine ticks every second      t0, cpu0; open a scope, spawn N EchoClients
 *                                        (spread over the loops); each runs until
 *                                        stopAt = t0 + seconds, then closes its side
 *                                        scope.join(); t1, cpu1
 *                                        close the listener; join the server
 *   coordinator.join()  ◄──────────────  the clients' results, t1 - t0, cpu1 - cpu0
 *   merge the latency recorders, print the report, close the runtime
 *
 * Latency goes to one HdrHistogram Recorder per loop: recording is wait-free, and in the
 * LOOPS mode the clients sharing a recorder share a thread, so its counters are never
 * contended. The main thread merges them once, after every writer has ended.
 *
 * Rejected: a histogram per client (a few hundred KiB each once it spans milliseconds,
 * which adds up at thousands of connections), and one shared Recorder (every round trip
 * would bounce its cache lines between the loops' cores).
 */
final class EchoDemo {
    private EchoDemo() {
    }

    /** How long past the stop time a client may still wait for an echo before it counts as failed. */
    static final Duration GRACE = Duration.ofSeconds(10);

    /** What the clients did, over the measured window: from their start until the last one ended. */
    private record Clients(long elapsedNanos, long cpuNanos, List<EchoClient.Result> results) {
    }

    /** What the coordinator task hands back. */
    private record Outcome(Clients clients, long serverErrors, Throwable firstServerError) {
    }

    /**
     * Runs the demo and prints its report; returns the exit code: 0 if everything was
     * verified, 1 if something failed or mismatched, or if the runtime could not start.
     */
    static int execute(DemoOptions options, PrintStream out, PrintStream err, boolean terminal) {
        // Clients and connections are spawned from tasks, so they start on their spawner's loop;
        // stealing spreads them over the loops (on nio it is ignored, and one loop does most).
        Runtime.Builder builder = Runtime.builder().name("weft-demo").workStealing(true).shutdownTimeout(Duration.ofSeconds(5));
        if (options.backend() != null) {
            builder.backend(options.backend());
        }
        Runtime rt;
        try {
            rt = builder.build();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            err.println("weft demo: " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("weft demo: " + e.getMessage() + ": " + e.getCause().getMessage());
            return 1;
        }
        try (rt) {
            DemoReport report = run(rt, options, err, terminal);
            report.print(out, err);
            return report.ok() ? 0 : 1;
        } catch (CompletionException e) {
            err.println("weft demo: " + e.getCause());
            return 1;
        }
    }

    /**
     * Runs the demo on {@code rt}, ticking a progress line on {@code progress}.
     *
     * @throws CompletionException if the demo could not run at all (the listener would not bind)
     */
    static DemoReport run(Runtime rt, DemoOptions options, PrintStream progress, boolean terminal) {
        Recorder[] latencyByLoop = new Recorder[rt.loopCount()];
        for (int i = 0; i < latencyByLoop.length; i++) {
            latencyByLoop[i] = new Recorder(EchoClient.LATENCY_CAP_NANOS, 3);
        }
        LongAdder roundTrips = new LongAdder();
        Task<Outcome> coordinator = rt.spawn(() -> coordinate(options, latencyByLoop, roundTrips));
        ProgressLine ticker = ProgressLine.start(progress, terminal, roundTrips::sum);
        Outcome o;
        try {
            o = coordinator.join();
        } finally {
            ticker.close();
        }
        Histogram latency = new Histogram(3);
        for (Recorder r : latencyByLoop) {
            latency.add(r.getIntervalHistogram());
        }
        return new DemoReport(options, rt.schedulerMode(), rt.schedulerReason(), rt.backend(), rt.backendReason(),
                rt.loopCount(), java.lang.Runtime.getRuntime().availableProcessors(),
                o.clients().elapsedNanos(), o.clients().cpuNanos(), latency, o.clients().results(),
                o.serverErrors(), o.firstServerError());
    }

    /** The coordinator task: see the overview. */
    private static Outcome coordinate(DemoOptions options, Recorder[] latencyByLoop, LongAdder roundTrips) throws IOException {
        EchoServer server;
        Task<Void> serving;
        Clients clients;
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            server = new EchoServer(listener);
            serving = Weft.spawn(server::serve);
            clients = runClients(options, listener.localAddress(), latencyByLoop, roundTrips);
        } // closing the listener ends the accept loop; serve() then waits for its connections to end
        serving.join();
        return new Outcome(clients, server.errors(), server.firstError());
    }

    /** Runs the clients in a scope until they have all ended. */
    private static Clients runClients(DemoOptions options, InetSocketAddress server, Recorder[] latencyByLoop,
                                      LongAdder roundTrips) {
        long cpu0 = ProcessCpu.nanos();
        long t0 = System.nanoTime();
        Deadline stopAt = Deadline.atNanoTime(t0 + TimeUnit.SECONDS.toNanos(options.seconds()));
        Deadline hardStop = Deadline.atNanoTime(stopAt.nanoTime() + GRACE.toNanos());
        List<Task<EchoClient.Result>> clients = new ArrayList<>(options.connections());
        try (Scope scope = Scope.open(Scope.Policy.COLLECT_ALL)) {
            for (int id = 0; id < options.connections(); id++) {
                clients.add(scope.spawn(new EchoClient(id, server, options.size(), stopAt, hardStop, latencyByLoop, roundTrips)));
            }
            scope.join(); // clients return their failures instead of throwing them
        }
        long elapsed = System.nanoTime() - t0;
        long cpu1 = ProcessCpu.nanos();
        return new Clients(elapsed, cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0, clients.stream().map(Task::join).toList());
    }
}
