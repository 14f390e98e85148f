package io.weft.bench.echo;

import io.weft.bench.ChildJvm;
import io.weft.bench.Durations;
import io.weft.bench.Machine;
import io.weft.bench.Pinning;
import io.weft.bench.ResultsFile;
import io.weft.bench.SvgBarChart;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The echo benchmark: each contender's server in its own JVM on the server core, this
 * JVM's {@link LoadGenerator} on the other, the same load for all; a table on standard
 * output, {@code echo.json} and {@code echo.svg} in the output directory.
 */
/*
 * Overview
 *
 * For each contender, in the order asked:
 *   1. start its server JVM (`taskset -c SERVER_CPU java ... EchoServerMain NAME`) and read
 *      its port; a contender that cannot run here says UNAVAILABLE and is skipped, with
 *      its reason in the table and the JSON;
 *   2. connect; closed-loop warm-up (JIT, connection buffers), not reported;
 *   3. `runs` closed-loop runs of `seconds` each, server and load generator CPU sampled
 *      from /proc around each;
 *   4. one paced run at `rate` msg/s: CPU per message at a load every contender can
 *      carry, which compares efficiency when throughput does not;
 *   5. stop the server (close its stdin), keep its stderr in OUT/logs/echo-NAME.log.
 * The report gives the median of the runs for every figure. One contender failing does
 * not stop the others.
 *
 * The load generator runs in this JVM; `./weft bench echo` re-runs this JVM under
 * `taskset -c LOADGEN_CPU` first (Main), so its CPU, JIT and GC included, stays off the
 * server's core. Tests call run() directly, unpinned.
 */
public final class EchoBench {
    private EchoBench() {
    }

    /** What a run produced. */
    public record Report(List<EchoResult> results, Path json, Path svg) {
        /** True if no measured contender saw a mismatch or connection error, and none failed. */
        public boolean ok() {
            return results.stream().allMatch(r -> r.status == EchoResult.Status.SKIPPED || r.valid());
        }
    }

    public static Report run(EchoOptions o, PrintStream out) throws IOException {
        Machine machine = Machine.current();
        String why = new Pinning(o.pin(), o.serverCpu(), o.loadgenCpu()).problem(machine);
        boolean pinServer = why == null;
        if (o.pin() && !pinServer) {
            out.println("warning: not pinning: " + why);
        }
        boolean loadgenPinned = pinServer && Integer.toString(o.loadgenCpu()).equals(allowedCpus());
        if (pinServer && !loadgenPinned) {
            out.println("note: the load generator is not pinned to CPU " + o.loadgenCpu()
                    + " (this JVM may run on CPUs " + allowedCpus() + "); ./weft bench echo pins it");
        }
        Integer serverCpu = pinServer ? o.serverCpu() : null;

        out.println("machine: " + machine.describe());
        out.printf(Locale.ROOT, "echo: %d connections, %d-byte messages, pipeline %d, %d run(s) of %.1f s after %.1f s warm-up, "
                        + "fixed rate %s; server %s, load generator %s%n",
                o.connections(), o.size(), o.pipeline(), o.runs(), o.seconds(), o.warmupSeconds(),
                o.rate() > 0 ? String.format(Locale.ROOT, "%.0f msg/s", o.rate()) : "off",
                pinServer ? "on CPU " + o.serverCpu() : "unpinned", loadgenPinned ? "on CPU " + o.loadgenCpu() : "unpinned");
        out.printf(Locale.ROOT, "planned: about %s for %d contender(s)%n", Durations.describe(o.plannedSeconds()), o.contenders().size());

        List<EchoResult> results = new ArrayList<>();
        for (Contender c : o.contenders()) {
            results.add(runOne(c, o, serverCpu, out));
        }

        out.println();
        printTable(results, o, out);

        Map<String, Object> params = o.toJson(pinServer && loadgenPinned);
        params.put("server_jvm_flags", String.join(" ", ChildJvm.inheritedFlags()));
        ResultsFile file = new ResultsFile("echo", machine, params, results.stream().map(EchoResult::toJson).toList());
        Path json = file.write(o.out());
        Path svg = o.out().resolve("echo.svg");
        Files.writeString(svg, chart(results, o, machine, pinServer, loadgenPinned));
        out.println("wrote " + json + " and " + svg);
        return new Report(results, json, svg);
    }

    private static EchoResult runOne(Contender c, EchoOptions o, Integer serverCpu, PrintStream out) {
        out.printf("%-22s ", c.id());
        out.flush();
        Path log = o.out().resolve("logs").resolve("echo-" + c.id() + ".log");
        long nanos = (long) (o.seconds() * 1e9);
        ServerProcess server = null;
        LoadGenerator lg = null;
        try {
            server = ServerProcess.start(c, o.serverJvmOptions(), serverCpu, log);
            lg = new LoadGenerator(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                    o.connections(), o.size(), o.pipeline());
            lg.connect();
            if (o.warmupSeconds() > 0) {
                lg.closedLoop((long) (o.warmupSeconds() * 1e9), LoadGenerator.Window.NONE);
                out.print("warm ");
            }
            List<EchoResult.Run> runs = new ArrayList<>();
            for (int i = 0; i < o.runs(); i++) {
                CpuWindow w = new CpuWindow(server.pid(), serverCpu);
                LoadGenerator.PhaseStats s = lg.closedLoop(nanos, w);
                runs.add(new EchoResult.Run(s, w.result()));
                out.printf(Locale.ROOT, "| %,.0f/s ", s.opsPerSec());
                out.flush();
            }
            EchoResult.Run rateRun = null;
            if (o.rate() > 0) {
                CpuWindow w = new CpuWindow(server.pid(), serverCpu);
                LoadGenerator.PhaseStats s = lg.paced(o.rate(), nanos, w);
                rateRun = new EchoResult.Run(s, w.result());
                out.printf(Locale.ROOT, "| @rate %,.0f/s ", s.opsPerSec());
            }
            if (!server.isAlive()) {
                out.println("| server died");
                return EchoResult.failed(c, "the server exited during the run" + server.logTail(),
                        lg.totalMismatches(), lg.totalErrors(), lg.errorSamples());
            }
            out.println("| done");
            return EchoResult.measured(c, server.info(), runs, rateRun, o.rate(),
                    lg.totalMismatches(), lg.totalErrors(), lg.errorSamples());
        } catch (ContenderUnavailableException e) {
            out.println("skipped: " + e.getMessage());
            return EchoResult.skipped(c, e.getMessage());
        } catch (IOException | RuntimeException e) {
            out.println("failed: " + e.getMessage());
            return EchoResult.failed(c, String.valueOf(e.getMessage()),
                    lg == null ? 0 : lg.totalMismatches(), lg == null ? 0 : lg.totalErrors(),
                    lg == null ? List.of() : lg.errorSamples());
        } finally {
            if (lg != null) {
                try {
                    lg.close();
                } catch (IOException e) {
                    // closing client sockets after the measurement: nothing to report
                }
            }
            if (server != null) {
                server.close();
            }
        }
    }

    /** This process's Cpus_allowed_list ("0-1", "1"), or "?" off Linux. */
    public static String allowedCpus() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Cpus_allowed_list:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static void printTable(List<EchoResult> results, EchoOptions o, PrintStream out) {
        String head = String.format(Locale.ROOT, "%-21s %12s %8s %8s %9s %10s %11s %5s %5s %4s %12s %6s",
                "contender", "ops/s", "p50 µs", "p99 µs", "p999 µs", "cpu µs/op", "usr/sys", "srv%", "lg%", "sat",
                o.rate() > 0 ? "@rate µs/op" : "", o.rate() > 0 ? "rate" : "");
        out.println(head);
        out.println("-".repeat(head.length()));
        List<String> notes = new ArrayList<>();
        for (EchoResult r : results) {
            if (r.status != EchoResult.Status.MEASURED) {
                out.printf(Locale.ROOT, "%-21s %12s%n", r.contender.id(), r.status == EchoResult.Status.SKIPPED ? "skipped" : "FAILED");
            } else {
                out.printf(Locale.ROOT, "%-21s %,12.0f %8.1f %8.1f %9.1f %10.2f %5.2f/%-5.2f %5.0f %5.0f %4s %12s %6s%n",
                        r.contender.id(), r.median(EchoResult.Run::opsPerSec),
                        r.median(x -> x.stats().percentileMicros(50)), r.median(x -> x.stats().percentileMicros(99)),
                        r.median(x -> x.stats().percentileMicros(99.9)), r.median(EchoResult.Run::cpuUsPerOp),
                        r.median(EchoResult.Run::cpuUserUsPerOp), r.median(EchoResult.Run::cpuSysUsPerOp),
                        r.median(EchoResult.Run::serverBusyPct), r.median(EchoResult.Run::loadgenBusyPct),
                        r.saturated() ? "yes" : "no",
                        r.rateRun == null ? "" : String.format(Locale.ROOT, "%.2f", r.rateRun.cpuUsPerOp()),
                        r.rateRun == null ? "" : r.rateAchieved() ? "ok" : "MISSED");
            }
            String note = r.note();
            if (!note.isEmpty()) {
                notes.add(r.contender.id() + ": " + note);
            }
        }
        out.println("ops/s, latency and CPU are medians of " + o.runs() + " run(s); cpu µs/op is the server's user+system"
                + " time per echoed message; sat = server core ≥ " + (int) EchoResult.SATURATED_PCT + "% busy.");
        notes.forEach(n -> out.println("note: " + n));
    }

    private static String chart(List<EchoResult> results, EchoOptions o, Machine m, boolean serverPinned, boolean loadgenPinned) {
        List<SvgBarChart.Panel> panels = new ArrayList<>();
        panels.add(panel("Throughput, closed loop", "messages/s", false, results,
                r -> r.median(EchoResult.Run::opsPerSec), EchoBench::saturationNote));
        panels.add(panel("Server CPU per message, closed loop", "µs", true, results,
                r -> r.median(EchoResult.Run::cpuUsPerOp), EchoBench::saturationNote));
        if (o.rate() > 0) {
            panels.add(panel(String.format(Locale.ROOT, "Server CPU per message at a fixed %,.0f msg/s", o.rate()), "µs", true, results,
                    r -> r.rateRun == null ? Double.NaN : r.rateRun.cpuUsPerOp(),
                    r -> !r.valid() ? "INVALID" : r.rateAchieved() ? "" : "rate missed"));
        }
        panels.add(panel("p99 round trip, closed loop", "µs", true, results,
                r -> r.median(x -> x.stats().percentileMicros(99)), EchoBench::saturationNote));
        String sub = String.format(Locale.ROOT, "%d connections × %d B, pipeline %d, median of %d × %.0f s; "
                        + "server %s, load generator %s; \"not saturated\": server core < %.0f%% busy%n%s",
                o.connections(), o.size(), o.pipeline(), o.runs(), o.seconds(),
                serverPinned ? "on CPU " + o.serverCpu() : "unpinned", loadgenPinned ? "on CPU " + o.loadgenCpu() : "unpinned",
                EchoResult.SATURATED_PCT, m.describe());
        return SvgBarChart.render("Weft echo benchmark", sub, panels);
    }

    private static String saturationNote(EchoResult r) {
        return !r.valid() ? "INVALID" : r.saturated() ? "" : "not saturated";
    }

    private static SvgBarChart.Panel panel(String title, String unit, boolean lower, List<EchoResult> results,
                                           Function<EchoResult, Double> value, Function<EchoResult, String> note) {
        List<SvgBarChart.Bar> bars = new ArrayList<>();
        for (EchoResult r : results) {
            if (r.status != EchoResult.Status.MEASURED) {
                bars.add(new SvgBarChart.Bar(r.contender.id(), null,
                        r.status == EchoResult.Status.SKIPPED ? "skipped: unavailable here" : "failed"));
            } else {
                bars.add(new SvgBarChart.Bar(r.contender.id(), value.apply(r), note.apply(r)));
            }
        }
        return new SvgBarChart.Panel(title, unit, lower, bars);
    }
}
