package io.weft.cli.soak;

import io.weft.Runtime;

import java.io.IOException;
import java.time.Duration;

/**
 * Many connections at once, held: the client opens {@code n} connections, and each
 * exchanges one checked frame a second for {@code seconds}. Halfway through, with every
 * connection open, the soak measures this process's heap (after full collections) and
 * resident memory against the figures before the first connect.
 *
 * <p>Checks: every connection connected and was accepted and has its task; every
 * exchange happened and matched byte for byte; neither side saw an error; afterwards the
 * descriptors and live tasks are back to their baseline.
 */
final class ConnectionsScenario {
    private ConnectionsScenario() {
    }

    static void run(ClientProcess client, Runtime rt, int n, int seconds, Outcome o) throws IOException, InterruptedException {
        SoakServer server = SoakServer.start(rt, SoakServer.Mode.ECHO, null);
        try {
            long heap0 = ProcessStats.heapAfterFullGc();
            long rss0 = ProcessStats.rssBytes();
            Census base = Census.take(rt::liveTasks);

            ClientResult cr = new ClientResult();
            client.send("connections " + server.port() + " " + n + " " + seconds);
            cr.accept(client.until("connected", cr, Duration.ofSeconds(60 + n / 50)));
            client.until("holding", cr, Duration.ofSeconds(10));
            Thread.sleep(seconds * 500L);
            Census loaded = Census.take(rt::liveTasks);
            long heap1 = ProcessStats.heapAfterFullGc();
            long rss1 = ProcessStats.rssBytes();
            long acceptedWhileLoaded = server.accepted();
            client.until("end", cr, Duration.ofSeconds(seconds + 180L));
            Census.Settled after = Census.settle(rt::liveTasks, base, Soak.SETTLE);

            long expected = (long) n * seconds;
            o.put("connections", n).put("connected", cr.connected).put("accepted", server.accepted()).put("hold_s", seconds)
                    .put("exchanges", cr.stat("exchanges")).put("exchanges_expected", expected)
                    .put("late_exchanges", cr.stat("late")).put("rtt_mean_us", cr.stat("rtt_mean_us")).put("rtt_max_us", cr.stat("rtt_max_us"))
                    .put("heap_per_connection_bytes", perConnection(heap1 - heap0, n))
                    .put("rss_per_connection_bytes", perConnection(rss1 - rss0, n))
                    .put("heap_baseline_bytes", heap0).put("heap_loaded_bytes", heap1)
                    .put("rss_baseline_bytes", rss0).put("rss_loaded_bytes", rss1);
            after.toJson(base, loaded).forEach(o::put);
            o.put("client_errors", cr.errors.toJson()).put("server_errors", server.peerErrors().toJson())
                    .put("server_failures", server.failures().toJson());

            o.check(cr.connected == n, cr.connected + " of " + n + " connections connected");
            o.check(acceptedWhileLoaded == n, "the server had accepted " + acceptedWhileLoaded + " of " + n + " connections at the measurement");
            o.check(loaded.tasks() - base.tasks() == n, "at the measurement " + (loaded.tasks() - base.tasks())
                    + " connection tasks were live, not " + n + ": the memory figures do not cover every connection");
            o.check(cr.stat("exchanges") == expected, cr.stat("exchanges") + " of " + expected + " exchanges completed and matched");
            o.check(cr.errors.total() == 0, "client errors: " + cr.errors.summary());
            o.check(server.peerErrors().total() == 0, "server connection errors: " + server.peerErrors().summary());
            o.check(server.failures().total() == 0, "server failures: " + server.failures().summary());
            String leak = after.difference(base, Soak.SETTLE);
            o.check(leak == null, leak);
        } finally {
            server.stopAccepting(Duration.ofSeconds(5));
        }
    }

    private static double perConnection(long bytes, int n) {
        return (double) bytes / n;
    }
}
