package io.weft.cli.soak;

import io.weft.Runtime;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clients that misbehave ({@link ChaosLoad}: resets, resets inside a frame, half-closes,
 * stalled reads and writes) against the echo server.
 *
 * <p>Checks: every action happened; every echo a client checked matched, and no client
 * saw an error it did not cause; the server found no bad frame, threw nothing else, and
 * saw exactly one connection error per connection a client aborted (a half-close or a
 * stall is no error); afterwards its descriptors and live tasks are back to their
 * baseline.
 */
final class ChaosScenario {
    private ChaosScenario() {
    }

    static void run(ClientProcess client, Runtime rt, int n, int seconds, long seed, Outcome o) throws IOException, InterruptedException {
        SoakServer server = SoakServer.start(rt, SoakServer.Mode.ECHO, null);
        try {
            Census base = Census.take(rt::liveTasks);
            ClientResult cr = new ClientResult();
            client.send("chaos " + server.port() + " " + n + " " + seconds + " " + seed);
            cr.accept(client.until("connected", cr, Duration.ofSeconds(60 + n / 50)));
            client.until("end", cr, Duration.ofSeconds(seconds + 180L));
            Census.Settled after = Census.settle(rt::liveTasks, base, Soak.SETTLE);

            Map<String, Object> actions = new LinkedHashMap<>();
            for (String a : ChaosLoad.ACTIONS) {
                actions.put(a, cr.stat(a));
            }
            o.put("connections", n).put("connected", cr.connected).put("seconds", seconds).put("seed", seed)
                    .put("actions", actions).put("connects", cr.stat("connects")).put("verified_echoes", cr.stat("verified"))
                    .put("server_accepted", server.accepted()).put("server_frames", server.frames());
            after.toJson(base, null).forEach(o::put);
            o.put("client_errors", cr.errors.toJson()).put("server_errors_provoked", server.peerErrors().toJson())
                    .put("server_failures", server.failures().toJson());

            o.check(cr.connected == n, cr.connected + " of " + n + " connections connected");
            for (String a : ChaosLoad.ACTIONS) {
                o.check(cr.stat(a) > 0, "no '" + a + "' happened");
            }
            o.check(cr.errors.total() == 0, "client errors: " + cr.errors.summary());
            o.check(server.failures().total() == 0, "server failures: " + server.failures().summary());
            long aborts = cr.stat("rst") + cr.stat("rst_mid_frame");
            o.check(server.peerErrors().total() == aborts, "the clients aborted " + aborts + " connections and the server saw "
                    + server.peerErrors().total() + " connection errors: " + server.peerErrors().summary());
            String leak = after.difference(base, Soak.SETTLE);
            o.check(leak == null, leak);
        } finally {
            server.stopAccepting(Duration.ofSeconds(5));
        }
    }
}
