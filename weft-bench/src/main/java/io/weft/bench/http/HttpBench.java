package io.weft.bench.http;

import io.weft.bench.ChildJvm;
import io.weft.bench.CpuUse;
import io.weft.bench.Durations;
import io.weft.bench.Machine;
import io.weft.bench.Pinning;
import io.weft.bench.ProcStat;
import io.weft.bench.ResultsFile;
import io.weft.bench.SvgBarChart;
import io.weft.bench.echo.ContenderUnavailableException;
import io.weft.bench.echo.ServerProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The HTTP benchmark: each contender's server in its own JVM pinned to the server core,
 * wrk pinned to the other, the TechEmpower plaintext endpoint with and without
 * pipelining; a table on standard output, {@code http.json} and {@code http.svg} in the
 * output directory.
 */
/*
 * Overview
 *
 * For each contender, in the order asked:
 *   1. start its server JVM (`taskset -c SERVER_CPU java ... HttpServerMain NAME`, the
 *      echo harness's ServerProcess) and read its port; UNAVAILABLE skips it with the reason;
 *   2. for each mode (pipeline depth 1, then DEPTH): one wrk warm-up run (JIT, connections),
 *      then `runs` measured wrk runs, each bracketed by CPU samples: the server process
 *      (/proc/PID/stat), wrk itself (this JVM's reaped children: cutime and cstime, since wrk
 *      has exited when it is read), and the server core (/proc/stat) when pinned;
 *   3. unless --idle-connections 0: open N connections that send nothing and report the
 *      server's heap per idle connection (IdleHeap: heap after a full GC, with and
 *      without them, through jcmd); --idle-only does this step alone, without wrk;
 *   4. stop the server, keep its stderr in OUT/logs/http-NAME.log.
 * The harness JVM only waits while wrk runs, so unlike the echo harness it need not move
 * itself off the server's core.
 */
public final class HttpBench {
    private HttpBench() {
    }

    public static boolean run(HttpOptions o, PrintStream out) throws IOException {
        Machine machine = Machine.current();
        String why = new Pinning(o.pin(), o.serverCpu(), o.loadgenCpu()).problem(machine);
        boolean pinned = why == null;
        if (o.pin() && !pinned) {
            out.println("warning: not pinning: " + why);
        }
        String wrk = null;
        if (!o.idleOnly()) {
            try {
                wrk = Wrk.findOrInstall(out);
            } catch (IOException e) {
                out.println("weft bench http: " + e.getMessage());
                return false;
            }
        }
        Path script = o.pipeline() > 1 ? Wrk.pipelineScript() : null;
        out.println("machine: " + machine.describe());
        if (o.idleOnly()) {
            out.printf(Locale.ROOT, "http: heap per idle connection only, %d idle connections per server%n", o.idleConnections());
        } else {
            out.printf(Locale.ROOT, "http: GET %s, wrk %d thread(s) %d connections, pipeline %s, %d run(s) of %.0f s after %.0f s warm-up; "
                            + "server %s, wrk %s%n",
                    o.path(), o.threads(), o.connections(), o.depths(), o.runs(), o.seconds(), o.warmupSeconds(),
                    pinned ? "on CPU " + o.serverCpu() : "unpinned", pinned ? "on CPU " + o.loadgenCpu() : "unpinned");
        }
        out.printf(Locale.ROOT, "planned: about %s for %d contender(s)%n", Durations.describe(o.plannedSeconds()), o.contenders().size());

        List<HttpResult> results = new ArrayList<>();
        List<IdleHeap.Result> idle = new ArrayList<>();
        for (HttpContender c : o.contenders()) {
            results.addAll(runOne(c, o, wrk, script, pinned, idle, out));
        }
        out.println();
        if (!o.idleOnly()) {
            printTable(results, o, out);
        }
        for (IdleHeap.Result r : idle) {
            out.printf(Locale.ROOT, "idle heap %-16s %,8.0f bytes per idle connection (%d connections; live heap after a full GC %,d -> %,d bytes)%n",
                    r.contender(), r.bytesPerConnection(), r.connections(), r.heapBefore(), r.heapAfter());
        }

        Map<String, Object> params = o.toJson(pinned);
        params.put("idle_heap", idle.stream().map(IdleHeap.Result::toJson).toList());
        params.put("server_jvm_flags", String.join(" ", ChildJvm.inheritedFlags()));
        params.put("wrk", wrk);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (HttpResult r : results) {
            rows.add(r.toJson(o.path(), ratios(r, results)));
        }
        Path json = new ResultsFile("http", machine, params, rows).write(o.out());
        Path svg = o.out().resolve("http.svg");
        Files.writeString(svg, chart(results, o, machine, pinned));
        out.println("wrote " + json + " and " + svg);
        return results.stream().allMatch(r -> r.status == HttpResult.Status.SKIPPED || r.valid());
    }

    private static List<HttpResult> runOne(HttpContender c, HttpOptions o, String wrk, Path script, boolean pinned,
                                           List<IdleHeap.Result> idle, PrintStream out) {
        List<HttpResult> results = new ArrayList<>();
        out.printf("%-16s ", c.id());
        out.flush();
        Path log = o.out().resolve("logs").resolve("http-" + c.id() + ".log");
        Integer serverCpu = pinned ? o.serverCpu() : null;
        Integer wrkCpu = pinned ? o.loadgenCpu() : null;
        ServerProcess server = null;
        int depthIndex = 0;
        try {
            server = ServerProcess.start(c.id(), HttpServerMain.class.getName(), o.serverJvmOptions(), serverCpu, log);
            String url = "http://127.0.0.1:" + server.port() + o.path();
            for (int depth : o.idleOnly() ? List.<Integer>of() : o.depths()) {
                out.print(depth == 1 ? "| plain " : "| pipelined " + depth + " ");
                Path s = depth == 1 ? null : script;
                if (o.warmupSeconds() > 0) {
                    Wrk.run(Wrk.command(wrk, url, o.threads(), o.connections(), Math.max(1, o.warmupSeconds()), s, depth, wrkCpu), pid -> { });
                }
                List<HttpResult.Run> runs = new ArrayList<>();
                for (int i = 0; i < o.runs(); i++) {
                    runs.add(measure(server.pid(), serverCpu,
                            Wrk.command(wrk, url, o.threads(), o.connections(), o.seconds(), s, depth, wrkCpu)));
                    out.printf(Locale.ROOT, "%,.0f/s ", runs.getLast().requestsPerSec());
                    out.flush();
                }
                if (!server.isAlive()) {
                    throw new IOException("the server exited during the run" + server.logTail());
                }
                results.add(HttpResult.measured(c, depth, server.info(), runs));
                depthIndex++;
            }
            if (o.idleConnections() > 0) {
                out.print("| idle heap ");
                out.flush();
                try {
                    IdleHeap.Result r = IdleHeap.measure(c.id(), server.pid(), server.port(), o.idleConnections());
                    idle.add(r);
                    out.printf(Locale.ROOT, "%,.0f B/conn ", r.bytesPerConnection());
                } catch (IOException e) {
                    out.print("failed (" + e.getMessage() + ") ");
                }
            }
            out.println("| done");
        } catch (ContenderUnavailableException e) {
            out.println("skipped: " + e.getMessage());
            for (int depth : o.depths()) {
                results.add(HttpResult.skipped(c, depth, e.getMessage()));
            }
        } catch (IOException | RuntimeException e) {
            out.println("failed: " + e.getMessage());
            List<Integer> depths = o.depths();
            for (int i = depthIndex; i < depths.size(); i++) {
                results.add(HttpResult.failed(c, depths.get(i), String.valueOf(e.getMessage())));
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
        return results;
    }

    /** One wrk run between two CPU samples. */
    private static HttpResult.Run measure(long serverPid, Integer serverCpu, List<String> command) throws IOException {
        boolean proc = ProcStat.available();
        ProcStat.CpuTimes s0 = proc ? ProcStat.process(serverPid) : null;
        ProcStat.CpuTimes w0 = proc ? ProcStat.selfChildren() : null;
        ProcStat.CoreTimes c0 = proc && serverCpu != null ? ProcStat.core(serverCpu) : null;
        long t0 = System.nanoTime();
        Wrk.Report report = Wrk.run(command, pid -> { });
        long t1 = System.nanoTime();
        double secs = (t1 - t0) / 1e9;
        if (!proc) {
            return new HttpResult.Run(report, new CpuUse(secs, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        }
        ProcStat.CpuTimes s = ProcStat.process(serverPid).minus(s0);
        ProcStat.CpuTimes w = ProcStat.selfChildren().minus(w0);
        double core = c0 == null ? Double.NaN : ProcStat.core(serverCpu).minus(c0).busyTicks();
        double tick = ProcStat.ticksPerSecond();
        return new HttpResult.Run(report, new CpuUse(secs, s.userTicks() / tick, s.systemTicks() / tick,
                w.totalTicks() / tick, core / tick));
    }

    /** For Weft's rows: requests/s over Netty-epoll's and Helidon's in the same mode. */
    private static Map<String, Object> ratios(HttpResult r, List<HttpResult> all) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.status != HttpResult.Status.MEASURED || !r.contender.id().startsWith("weft")) {
            return m;
        }
        m.put("vs_netty_epoll", io.weft.bench.Json.round(ratio(r, all, HttpContender.NETTY_EPOLL), 3));
        m.put("vs_helidon", io.weft.bench.Json.round(ratio(r, all, HttpContender.HELIDON), 3));
        return m;
    }

    private static double ratio(HttpResult r, List<HttpResult> all, HttpContender other) {
        for (HttpResult x : all) {
            if (x.contender == other && x.depth == r.depth && x.status == HttpResult.Status.MEASURED) {
                return r.median(HttpResult.Run::requestsPerSec) / x.median(HttpResult.Run::requestsPerSec);
            }
        }
        return Double.NaN;
    }

    private static void printTable(List<HttpResult> results, HttpOptions o, PrintStream out) {
        String head = String.format(Locale.ROOT, "%-16s %-28s %12s %9s %9s %10s %11s %5s %5s %4s",
                "contender", "mode", "requests/s", "p50 µs", "p99 µs", "cpu µs/req", "usr/sys", "srv%", "wrk%", "sat");
        out.println(head);
        out.println("-".repeat(head.length()));
        List<String> notes = new ArrayList<>();
        for (HttpResult r : results) {
            if (r.status != HttpResult.Status.MEASURED) {
                out.printf(Locale.ROOT, "%-16s %-28s %12s%n", r.contender.id(), r.mode(o.path()),
                        r.status == HttpResult.Status.SKIPPED ? "skipped" : "FAILED");
            } else {
                out.printf(Locale.ROOT, "%-16s %-28s %,12.0f %9.1f %9.1f %10.2f %5.2f/%-5.2f %5.0f %5.0f %4s%n",
                        r.contender.id(), r.mode(o.path()), r.median(HttpResult.Run::requestsPerSec),
                        r.median(x -> x.wrk().p50()), r.median(x -> x.wrk().p99()), r.median(HttpResult.Run::cpuUsPerRequest),
                        r.median(x -> x.cpu().userUsPerOp(x.wrk().requests())), r.median(x -> x.cpu().systemUsPerOp(x.wrk().requests())),
                        r.median(x -> x.cpu().serverBusyPct()), r.median(x -> x.cpu().loadgenBusyPct()),
                        r.saturated() ? "yes" : "no");
            }
            String note = r.note();
            if (!note.isEmpty()) {
                notes.add(r.contender.id() + " " + r.mode(o.path()) + ": " + note);
            }
        }
        out.println("requests/s, latency and CPU are medians of " + o.runs() + " run(s); cpu µs/req is the server's user+system"
                + " time per request; sat = server core ≥ " + (int) HttpResult.SATURATED_PCT + "% busy.");
        for (HttpResult r : results) {
            Map<String, Object> ratio = ratios(r, results);
            if (r.contender == HttpContender.WEFT_IO_URING && !ratio.isEmpty()) {
                out.printf(Locale.ROOT, "target, %s: weft-io_uring is %s netty-epoll (target ≥ 1.1×) and %s helidon (target ≥ 2×)%n",
                        r.mode(o.path()), times((Double) ratio.get("vs_netty_epoll")), times((Double) ratio.get("vs_helidon")));
            }
        }
        notes.forEach(n -> out.println("note: " + n));
    }

    /** {@code 1.23×}, or "(not measured) ×" when the other side has no figure. */
    private static String times(double ratio) {
        return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f×", ratio) : "n/a (not measured) ×";
    }

    private static String chart(List<HttpResult> results, HttpOptions o, Machine m, boolean pinned) {
        List<SvgBarChart.Panel> panels = new ArrayList<>();
        for (int depth : o.depths()) {
            List<HttpResult> mode = results.stream().filter(r -> r.depth == depth).toList();
            String name = depth == 1 ? "no pipelining" : "pipelined ×" + depth;
            panels.add(panel("Requests per second, " + name, "requests/s", false, mode,
                    r -> r.median(HttpResult.Run::requestsPerSec)));
            panels.add(panel("Server CPU per request, " + name, "µs", true, mode,
                    r -> r.median(HttpResult.Run::cpuUsPerRequest)));
            if (depth == 1) {
                panels.add(panel("p99 latency, " + name, "µs", true, mode, r -> r.median(x -> x.wrk().p99())));
            }
        }
        String sub = String.format(Locale.ROOT, "GET %s, wrk %d thread(s) × %d connections, median of %d × %.0f s; server %s, wrk %s; "
                        + "\"not saturated\": server core < %.0f%% busy%n%s",
                o.path(), o.threads(), o.connections(), o.runs(), o.seconds(),
                pinned ? "on CPU " + o.serverCpu() : "unpinned", pinned ? "on CPU " + o.loadgenCpu() : "unpinned",
                HttpResult.SATURATED_PCT, m.describe());
        return SvgBarChart.render("Weft HTTP benchmark (wrk)", sub, panels);
    }

    private static SvgBarChart.Panel panel(String title, String unit, boolean lower, List<HttpResult> results,
                                           Function<HttpResult, Double> value) {
        List<SvgBarChart.Bar> bars = new ArrayList<>();
        for (HttpResult r : results) {
            if (r.status != HttpResult.Status.MEASURED) {
                bars.add(new SvgBarChart.Bar(r.contender.id(), null,
                        r.status == HttpResult.Status.SKIPPED ? "skipped: unavailable here" : "failed"));
            } else {
                bars.add(new SvgBarChart.Bar(r.contender.id(), value.apply(r),
                        !r.valid() ? "INVALID" : r.saturated() ? "" : "not saturated"));
            }
        }
        return new SvgBarChart.Panel(title, unit, lower, bars);
    }
}
