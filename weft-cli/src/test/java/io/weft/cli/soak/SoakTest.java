package io.weft.cli.soak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak's short mode: every scenario on every backend this machine has, with a few
 * hundred connections for a few seconds, and the same checks as {@code ./weft soak}.
 */
class SoakTest {

    private static final int CONNECTIONS = 200;
    private static final int SECONDS = 2;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyScenarioPassesOnEveryAvailableBackend() throws Exception {
        SoakOptions options = new SoakOptions(SECONDS, CONNECTIONS, SoakOptions.BACKENDS, SoakOptions.SCENARIOS);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Map<String, Object> doc = Soak.run(options, new PrintStream(progress, true, StandardCharsets.UTF_8));
        String log = progress.toString(StandardCharsets.UTF_8);

        List<?> results = (List<?>) doc.get("results");
        assertEquals(SoakOptions.BACKENDS.size() * SoakOptions.SCENARIOS.size(), results.size(), log);
        int ran = 0;
        for (Object o : results) {
            Map<?, ?> r = (Map<?, ?>) o;
            String what = r.get("scenario") + " on " + r.get("backend");
            if (r.containsKey("skipped")) {
                assertTrue(!((String) r.get("skipped")).isBlank(), what + " skipped without a reason");
                assertTrue(!r.get("backend").equals("nio"), "nio runs everywhere, yet " + what + " was skipped: " + r.get("skipped"));
                continue;
            }
            ran++;
            assertEquals(List.of(), r.get("failures"), what + "\n" + log);
            assertEquals(true, r.get("ok"), what);
            Map<?, ?> fds = (Map<?, ?>) r.get("fds");
            Map<?, ?> tasks = (Map<?, ?>) r.get("tasks");
            assertEquals(fds.get("baseline"), fds.get("final"), what + ": descriptors");
            assertEquals(tasks.get("baseline"), tasks.get("final"), what + ": live tasks");
            switch ((String) r.get("scenario")) {
                case "connections" -> {
                    assertEquals(CONNECTIONS, r.get("connected"), what);
                    assertEquals((long) CONNECTIONS * SECONDS, r.get("exchanges"), what);
                    assertEquals(0L, ((Map<?, ?>) r.get("client_errors")).get("total"), what);
                    assertEquals(0L, ((Map<?, ?>) r.get("server_errors")).get("total"), what);
                }
                case "shutdown" -> {
                    assertEquals(List.of(), r.get("violations"), what);
                    assertTrue((Long) r.get("acked") > 0, what + ": nothing was acknowledged");
                    assertTrue((Long) r.get("processed") >= (Long) r.get("acked"), what + ": fewer processed than acknowledged");
                    assertEquals(0, tasks.get("final"), what + ": tasks left after shutdown");
                }
                case "chaos" -> {
                    Map<?, ?> actions = (Map<?, ?>) r.get("actions");
                    for (String a : ChaosLoad.ACTIONS) {
                        assertTrue((Long) actions.get(a) > 0, what + ": no " + a);
                    }
                    assertEquals(0L, ((Map<?, ?>) r.get("client_errors")).get("total"), what);
                    assertEquals(0L, ((Map<?, ?>) r.get("server_failures")).get("total"), what);
                }
                default -> throw new AssertionError("unknown scenario in " + r);
            }
        }
        assertTrue(ran >= SoakOptions.SCENARIOS.size(), "nothing ran: " + log);
        assertEquals(true, doc.get("ok"), log);
    }
}
