package io.weft.bench;

import java.util.Locale;

/**
 * The CPU time around one measured window, in seconds: the server process's user and
 * system time, the load generator's, and (when pinned) the server core's busy time, which
 * shows how much of that core other processes took. NaN where {@code /proc} could not tell.
 */
public record CpuUse(double seconds, double serverUser, double serverSystem, double loadgen, double serverCoreBusy) {

    /** A throughput counts as the server's limit only when its core was at least this busy. */
    public static final double SATURATED_PCT = 90;

    public double server() {
        return serverUser + serverSystem;
    }

    /** {@code cpuSeconds} per operation in µs; NaN for no operations. */
    public static double microsPerOp(double cpuSeconds, long ops) {
        return ops == 0 ? Double.NaN : cpuSeconds * 1e6 / ops;
    }

    /** The server's user + system time per operation, µs. */
    public double serverUsPerOp(long ops) {
        return microsPerOp(server(), ops);
    }

    public double userUsPerOp(long ops) {
        return microsPerOp(serverUser, ops);
    }

    public double systemUsPerOp(long ops) {
        return microsPerOp(serverSystem, ops);
    }

    public double serverBusyPct() {
        return server() / seconds * 100;
    }

    public double loadgenBusyPct() {
        return loadgen / seconds * 100;
    }

    /** The share of the server's core that other processes used (NaN unless pinned). */
    public double serverCoreOtherPct() {
        return Math.max(0, serverCoreBusy / seconds * 100 - serverBusyPct());
    }

    /**
     * Why a result with these busy shares (medians, in %) is not the server's limit, or
     * null if the server was saturated; {@code loadgenName} names the load generator.
     */
    public static String unsaturatedNote(double serverPct, double loadgenPct, double otherPct, String loadgenName, String advice) {
        if (serverPct >= SATURATED_PCT) {
            return null;
        }
        if (loadgenPct >= SATURATED_PCT) {
            return String.format(Locale.ROOT, "%s was the bottleneck (%s %.0f%% busy, server %.0f%%)",
                    loadgenName, loadgenName, loadgenPct, serverPct);
        }
        if (otherPct >= 10) {
            return String.format(Locale.ROOT, "server not saturated (%.0f%% busy): other processes took %.0f%% of its core",
                    serverPct, otherPct);
        }
        return String.format(Locale.ROOT, "server not saturated (%.0f%% busy, %s %.0f%%): latency-bound, %s",
                serverPct, loadgenName, loadgenPct, advice);
    }
}
