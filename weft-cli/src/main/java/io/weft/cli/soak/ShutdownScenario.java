package io.weft.cli.soak;

import io.weft.Runtime;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Runtime#shutdown(Duration)} in the middle of a stream of numbered messages
 * ({@link ShutdownLoad}), which the server records in a {@link Ledger} and then
 * acknowledges.
 *
 * <p>Checks: every acknowledged message was processed exactly once; no message was
 * processed twice or without having been sent; every connection with unacknowledged
 * messages ended with a clear error at its client (the server's close or reset, not a
 * timeout); afterwards the runtime has no live task and this process has the
 * descriptors it had before the runtime was built.
 */
final class ShutdownScenario {
    private ShutdownScenario() {
    }

    /** How long shutdown lets tasks end on their own before it cancels them. */
    static final Duration GRACE = Duration.ofSeconds(1);

    static void run(ClientProcess client, Runtime.Builder builder, int n, int loadSeconds, Outcome o)
            throws IOException, InterruptedException {
        Census before = Census.take(() -> 0);
        Runtime rt = builder.build();
        Ledger ledger = new Ledger();
        ClientResult cr = new ClientResult();
        long shutdownMillis;
        long processedAtShutdown;
        try {
            SoakServer server = SoakServer.start(rt, SoakServer.Mode.ACK, ledger);
            int maxSeconds = loadSeconds + 30;
            client.send("shutdown " + server.port() + " " + n + " " + maxSeconds);
            cr.accept(client.until("connected", cr, Duration.ofSeconds(60 + n / 50)));
            client.until("loaded", cr, Duration.ofSeconds(10));
            Thread.sleep(loadSeconds * 1000L);
            processedAtShutdown = ledger.processed();
            long t0 = System.nanoTime();
            rt.shutdown(GRACE);
            shutdownMillis = (System.nanoTime() - t0) / 1_000_000;
            client.until("end", cr, Duration.ofSeconds(maxSeconds + 90L));
            o.put("server_cancelled_tasks", server.cancelled()).put("server_errors", server.peerErrors().toJson())
                    .put("server_failures", server.failures().toJson());
            o.check(server.failures().total() == 0, "server failures: " + server.failures().summary());
        } finally {
            rt.shutdown(Duration.ZERO); // a no-op unless something above failed before the shutdown
        }
        Census.Settled after = Census.settle(rt::liveTasks, before, Soak.SETTLE);

        long sent = 0;
        long acked = 0;
        long unackedWithError = 0;
        Map<String, Long> endings = new TreeMap<>();
        List<String> badEndings = new java.util.ArrayList<>();
        for (Ledger.ClientReport r : cr.connections) {
            sent += r.sent();
            acked += r.acked();
            String kind = cr.endings.get(r.connection());
            endings.merge(kind == null ? "none" : kind, 1L, Long::sum);
            if (r.sent() > r.acked() && r.error() != null) {
                unackedWithError += r.sent() - r.acked();
            }
            if (!ShutdownLoad.CLOSED.equals(kind) && !ShutdownLoad.RESET.equals(kind) && badEndings.size() < 5) {
                badEndings.add("connection " + r.connection() + ": " + r.error());
            }
        }
        List<String> violations = ledger.check(cr.connections);
        long processed = ledger.processed();

        o.put("connections", n).put("connected", cr.connected).put("load_s", loadSeconds).put("grace_ms", GRACE.toMillis())
                .put("shutdown_ms", shutdownMillis).put("processed_at_shutdown", processedAtShutdown)
                .put("sent", sent).put("acked", acked).put("processed", processed)
                .put("processed_not_acked", processed - acked).put("unacked_with_error", unackedWithError)
                .put("connection_endings", endings).put("violations", violations.subList(0, Math.min(10, violations.size())));
        after.toJson(before, null).forEach(o::put);
        o.put("client_errors", cr.errors.toJson());

        o.check(cr.connected == n, cr.connected + " of " + n + " connections connected");
        o.check(cr.connections.size() == n, cr.connections.size() + " of " + n + " connections reported how they ended");
        o.check(processedAtShutdown > 0, "no message was processed before the shutdown");
        o.check(violations.isEmpty(), violations.size() + " violations, first: " + (violations.isEmpty() ? "" : violations.getFirst()));
        o.check(badEndings.isEmpty(), "connections not ended by the shutdown's close or reset: " + badEndings);
        o.check(cr.errors.total() == 0, "client errors: " + cr.errors.summary());
        String leak = after.difference(before, Soak.SETTLE);
        o.check(leak == null, leak);
    }
}
