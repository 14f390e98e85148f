package io.weft.cli.soak;

import io.weft.Runtime;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The server process's open descriptors and a runtime's live tasks at one moment: taken
 * before a scenario as its baseline, and polled afterwards until both are back to it.
 *
 * @param fds     open descriptors of this process
 * @param tasks   {@link Runtime#liveTasks()}
 * @param targets descriptor to target, to name the ones that did not close
 */
record Census(int fds, int tasks, Map<Integer, String> targets) {

    static Census take(IntSupplier liveTasks) throws IOException {
        Map<Integer, String> targets = ProcessStats.fdTargets();
        return new Census(targets.size(), liveTasks.getAsInt(), targets);
    }

    /**
     * Polls every 50 ms until the descriptors and tasks are back to {@code baseline} or
     * {@code limit} has passed; returns the last census and how long it took.
     */
    static Settled settle(IntSupplier liveTasks, Census baseline, Duration limit) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long end = t0 + limit.toNanos();
        Census now = take(liveTasks);
        while (!now.matches(baseline) && System.nanoTime() - end < 0) {
            Thread.sleep(50);
            now = take(liveTasks);
        }
        return new Settled(now, (System.nanoTime() - t0) / 1_000_000);
    }

    boolean matches(Census other) {
        return fds == other.fds && tasks == other.tasks;
    }

    /** A census after a scenario, and the milliseconds it took to reach it. */
    record Settled(Census census, long millis) {

        /** What still differs from {@code baseline}, or null if nothing does. */
        String difference(Census baseline, Duration limit) {
            if (census.matches(baseline)) {
                return null;
            }
            List<String> extra = ProcessStats.newFds(baseline.targets(), census.targets());
            return "after " + limit.toSeconds() + " s, " + census.fds() + " descriptors open (baseline " + baseline.fds() + ")"
                    + (extra.isEmpty() ? "" : ", new: " + extra)
                    + " and " + census.tasks() + " live tasks (baseline " + baseline.tasks() + ")";
        }

        Map<String, Object> toJson(Census baseline, Census loaded) {
            Map<String, Object> fds = new LinkedHashMap<>();
            fds.put("baseline", baseline.fds());
            if (loaded != null) {
                fds.put("loaded", loaded.fds());
            }
            fds.put("final", census.fds());
            Map<String, Object> tasks = new LinkedHashMap<>();
            tasks.put("baseline", baseline.tasks());
            if (loaded != null) {
                tasks.put("loaded", loaded.tasks());
            }
            tasks.put("final", census.tasks());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("fds", fds);
            out.put("tasks", tasks);
            out.put("settle_ms", millis);
            return out;
        }
    }
}
