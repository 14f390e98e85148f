package io.weft.bench;

import io.weft.Runtime;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./weft bench idle}: the CPU an idle runtime uses. Starts a runtime, hands each
 * loop a little work so that its loops have spun, leaves it idle for a settling second,
 * then measures this process's user + system time ({@code /proc/self/stat}) over the
 * window. The guard is under 1% of one core: an idle loop must stop spinning and sleep.
 */
public final class IdleCpu {
    private IdleCpu() {
    }

    public static final Set<String> VALUED = Set.of("seconds", "loops", "backend", "idle-spin-micros");
    public static final Set<String> FLAGS = Set.of();
    static final double LIMIT_PERCENT = 1.0;

    public static final String USAGE = """
            usage: ./weft bench idle [options]
              --seconds N            length of the idle window (default 10)
              --loops N              event loops (default: one per processor)
              --backend NAME         auto, io_uring, epoll or nio (default auto)
              --idle-spin-micros N   the runtime's idleSpin (default: its default)
            exits 1 if the process used 1% of a core or more over the window
            """;

    /** Runs the check; true if the idle runtime stayed under the limit. */
    public static boolean run(Options o, PrintStream out) throws Exception {
        int seconds = o.intValue("seconds", 10, 1);
        Runtime.Builder b = Runtime.builder().name("idle").backend(o.string("backend", "auto"));
        if (o.has("loops")) {
            b.loops(o.intValue("loops", 1, 1));
        }
        if (o.has("idle-spin-micros")) {
            b.idleSpin(Duration.ofNanos(1000L * o.intValue("idle-spin-micros", 0, 0)));
        }
        try (Runtime rt = b.build()) {
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < rt.loopCount(); i++) {
                    rt.spawnOn(i, () -> { }).join();
                }
            }
            Thread.sleep(1000);
            ProcStat.CpuTimes before = ProcStat.self();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            ProcStat.CpuTimes used = ProcStat.self().minus(before);
            double wall = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = used.totalTicks() / (double) ProcStat.ticksPerSecond();
            double percent = 100 * cpuSeconds / wall;
            boolean ok = percent < LIMIT_PERCENT;
            out.printf(Locale.ROOT, "idle runtime: %d loop(s), backend %s, scheduler %s: %.3f s CPU (user %d, system %d ticks)"
                            + " over %.1f s = %.2f%% of one core (limit %.1f%%): %s%n",
                    rt.loopCount(), rt.backend(), rt.schedulerMode(), cpuSeconds, used.userTicks(), used.systemTicks(),
                    wall, percent, LIMIT_PERCENT, ok ? "ok" : "TOO MUCH");
            return ok;
        }
    }
}
