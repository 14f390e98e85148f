package io.weft.cli;

import io.weft.SchedulerMode;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one demo run measured and checked, and how it is printed. The run succeeded only
 * if messages went through, none mismatched, no client failed and the server saw no error.
 *
 * @param elapsedNanos     from the clients' start until the last of them ended
 * @param cpuNanos         whole-process CPU time over the same window, or -1 if unknown
 * @param latency          round-trip times in nanoseconds, all clients merged
 * @param serverErrors     connections that ended with an error on the server side
 * @param firstServerError the first of those, or null
 */
record DemoReport(DemoOptions options, SchedulerMode schedulerMode, String schedulerReason,
                  String backend, String backendReason, int loops, int processors,
                  long elapsedNanos, long cpuNanos, Histogram latency, List<EchoClient.Result> clients,
                  long serverErrors, Throwable firstServerError) {

    /** Round trips completed, every one of them checked byte by byte. */
    long messages() {
        return clients.stream().mapToLong(EchoClient.Result::messages).sum();
    }

    long mismatches() {
        return clients.stream().mapToLong(EchoClient.Result::mismatches).sum();
    }

    List<EchoClient.Result> failedClients() {
        return clients.stream().filter(c -> c.failure() != null).toList();
    }

    boolean ok() {
        return messages() > 0 && mismatches() == 0 && failedClients().isEmpty() && serverErrors == 0;
    }

    /** The report on {@code out}; what went wrong, if anything, on {@code err}. */
    void print(PrintStream out, PrintStream err) {
        long messages = messages();
        double seconds = elapsedNanos / 1e9;
        out.println("scheduler:   " + schedulerMode + (schedulerReason == null ? "" : " (" + schedulerReason + ")"));
        out.println("backend:     " + backend + " (" + backendReason + ")");
        out.println("loops:       " + loops);
        out.println("connections: " + clients.size() + ", " + options.size() + "-byte messages");
        out.println(f("messages:    %d in %.2f s, %.0f msg/s", messages, seconds, messages / seconds));
        if (latency.getTotalCount() > 0) {
            out.println(f("round trip:  p50 %.1f us, p99 %.1f us, p999 %.1f us, max %.1f us",
                    micros(latency.getValueAtPercentile(50)), micros(latency.getValueAtPercentile(99)),
                    micros(latency.getValueAtPercentile(99.9)), micros(latency.getMaxValue())));
        }
        if (cpuNanos >= 0 && messages > 0) {
            out.println(f("cpu:         %.2f us per message, %.2f of %d cores busy (whole process: the clients run in it too)",
                    micros(cpuNanos / (double) messages), cpuNanos / (double) elapsedNanos, processors));
        } else {
            out.println("cpu:         unknown (the OS does not report this process's CPU time)");
        }
        out.println("verified: " + messages + " messages, " + mismatches() + " mismatches");

        clients.stream().map(EchoClient.Result::firstMismatch).filter(Objects::nonNull).findFirst()
                .ifPresent(m -> err.println("first mismatch: " + m));
        List<EchoClient.Result> failed = failedClients();
        if (!failed.isEmpty()) {
            EchoClient.Result first = failed.getFirst();
            err.println("failed clients: " + failed.size() + " of " + clients.size() + "; first, connection " + first.id()
                    + ": " + first.failure());
        }
        if (serverErrors > 0) {
            err.println("server errors: " + serverErrors + "; first: " + firstServerError);
        }
        if (messages == 0 && failed.isEmpty()) {
            err.println("no message completed");
        }
    }

    private static double micros(double nanos) {
        return nanos / 1000.0;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
