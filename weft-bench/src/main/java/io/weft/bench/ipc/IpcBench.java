package io.weft.bench.ipc;

import io.weft.Weft;
import io.weft.bench.ChildJvm;
import io.weft.bench.Durations;
import io.weft.bench.Machine;
import io.weft.bench.Pinning;
import io.weft.bench.ResultsFile;
import io.weft.bench.SvgBarChart;
import io.weft.bench.echo.ContenderUnavailableException;
import io.weft.bench.echo.CpuWindow;
import io.weft.bench.echo.EchoBench;
import io.weft.bench.echo.ServerProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ./weft bench ipc}: round trips of small messages between two processes on one
 * host, through Weft's shared-memory rings (one per wait strategy), Agrona's ring buffer,
 * Aeron IPC, a Unix-domain socket and loopback TCP, beside the floor of two threads handing
 * a cache line back and forth. A table on standard output with the targets met or missed,
 * {@code ipc.json} and {@code ipc.svg} in the output directory.
 */
/*
 * Overview
 *
 * For each contender, in the order asked:
 *   1. make a fresh directory under /dev/shm (the JDK's temp directory if there is none)
 *      for the contender's files: ring files, the socket file, Aeron's driver directory;
 *   2. start the responder JVM (`taskset -c SERVER_CPU java ... IpcResponderMain NAME`,
 *      -Dweft.bench.ipc.dir=DIR) and wait for its PORT line, by ServerProcess as the echo
 *      harness does; the floor has no responder process, its second thread pins itself;
 *   3. open the requester's end in this JVM (on LOADGEN_CPU: Main re-runs it under taskset);
 *   4. warm up (half the time in each mode), then `runs` runs, each a latency window (one
 *      request outstanding, every round trip timed into an HdrHistogram) followed by a
 *      throughput window (`window` requests outstanding, both processes' CPU sampled from
 *      /proc around it);
 *   5. close the requester, stop the responder (close its stdin), delete the directory.
 * A contender that cannot run here is skipped with its reason; one that fails does not stop
 * the others. The report gives the median of the runs for every figure.
 *
 * Rejected: a throughput mode that streams requests without waiting for responses. It
 * measures one direction and the ring's batching, not a round trip, and a window keeps
 * the two modes comparable across transports that block (sockets) and those that spin.
 */
public final class IpcBench {
    private IpcBench() {
    }

    /** The JVM options that Agrona and Aeron need on JDK 17+, given to the responder and expected of this JVM. */
    static final List<String> PEER_FLAGS = List.of(
            "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    /** What a run produced. */
    public record Report(List<IpcResult> results, Path json, Path svg) {
        /** True if no contender failed (skipped ones are fine). */
        public boolean ok() {
            return results.stream().noneMatch(r -> r.status == IpcResult.Status.FAILED);
        }
    }

    public static Report run(IpcOptions o, PrintStream out) throws IOException {
        Machine machine = Machine.current();
        String why = new Pinning(o.pin(), o.serverCpu(), o.loadgenCpu()).problem(machine);
        boolean pinResponder = why == null;
        if (o.pin() && !pinResponder) {
            out.println("note: not pinning: " + why);
        }
        boolean requesterPinned = pinResponder && Integer.toString(o.loadgenCpu()).equals(EchoBench.allowedCpus());
        if (pinResponder && !requesterPinned) {
            out.println("note: the requester is not pinned to CPU " + o.loadgenCpu()
                    + " (this JVM may run on CPUs " + EchoBench.allowedCpus() + "); ./weft bench ipc pins it");
        }
        Integer responderCpu = pinResponder ? o.serverCpu() : null;
        Path filesRoot = filesRoot();

        out.println("machine: " + machine.describe());
        out.printf(Locale.ROOT, "ipc: %d-byte messages, %d run(s) of %.1f s latency + %.1f s throughput (window %d) after %.1f s warm-up; "
                        + "responder %s, requester %s; files in %s%n",
                o.size(), o.runs(), o.seconds(), o.seconds(), o.window(), o.warmupSeconds(),
                pinResponder ? "on CPU " + o.serverCpu() : "unpinned", requesterPinned ? "on CPU " + o.loadgenCpu() : "unpinned", filesRoot);
        out.printf(Locale.ROOT, "planned: about %s for %d contender(s)%n", Durations.describe(o.plannedSeconds()), o.contenders().size());

        List<IpcResult> results = new ArrayList<>();
        for (IpcContender c : o.contenders()) {
            results.add(runOne(c, o, responderCpu, filesRoot, out));
        }

        out.println();
        printTable(results, o, out);
        printTargets(results, out);

        Map<String, Object> params = o.toJson(pinResponder && requesterPinned);
        params.put("files_dir", filesRoot.toString());
        params.put("responder_jvm_flags", String.join(" ", Stream.concat(ChildJvm.inheritedFlags().stream(),
                responderFlags(o).stream()).toList()));
        ResultsFile file = new ResultsFile("ipc", machine, params, results.stream().map(IpcResult::toJson).toList());
        Path json = file.write(o.out());
        Path svg = o.out().resolve("ipc.svg");
        Files.writeString(svg, chart(results, o, machine, pinResponder && requesterPinned));
        out.println("wrote " + json + " and " + svg);
        return new Report(results, json, svg);
    }

    /** /dev/shm where it is a writable directory (the rings' home), else the JDK's temp directory. */
    static Path filesRoot() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The responder's options besides the inherited ones: --server-jvm-opts, and what Agrona and Aeron need if not inherited. */
    private static List<String> responderFlags(IpcOptions o) {
        List<String> flags = new ArrayList<>(o.serverJvmOptions());
        List<String> inherited = ChildJvm.inheritedFlags(); // the JVM reports "--add-opens X" as "--add-opens=X"
        for (String f : PEER_FLAGS) {
            if (!inherited.contains(f)) {
                flags.add(f);
            }
        }
        return flags;
    }

    /** Why this JVM cannot run Agrona's or Aeron's end (an --add-opens it lacks), or null if it can. */
    static String peerFlagsMissing() {
        Module unnamed = IpcBench.class.getModule();
        for (String pkg : List.of("jdk.internal.misc", "sun.nio.ch")) {
            if (!Object.class.getModule().isOpen(pkg, unnamed)) {
                return "this JVM was started without --add-opens java.base/" + pkg + "=ALL-UNNAMED, which Agrona and Aeron need"
                        + " (./weft bench ipc passes it)";
            }
        }
        return null;
    }

    private static IpcResult runOne(IpcContender c, IpcOptions o, Integer responderCpu, Path filesRoot, PrintStream out) {
        out.printf("%-22s ", c.id());
        out.flush();
        if ((c == IpcContender.AGRONA_ONE_TO_ONE || c == IpcContender.AERON_IPC) && peerFlagsMissing() != null) {
            out.println("skipped: " + peerFlagsMissing());
            return IpcResult.skipped(c, peerFlagsMissing());
        }
        Path log = o.out().resolve("logs").resolve("ipc-" + c.id() + ".log");
        Path dir = null;
        ServerProcess responder = null;
        try {
            dir = Files.createTempDirectory(filesRoot, "weft-ipc-" + c.id() + "-");
            if (!c.inProcess()) {
                List<String> jvm = new ArrayList<>(responderFlags(o));
                jvm.add("-D" + IpcResponderMain.DIR_PROPERTY + "=" + dir);
                responder = ServerProcess.start(c.id(), IpcResponderMain.class.getName(), jvm, responderCpu, log);
            }
            Path where = dir;
            ServerProcess peer = responder;
            if (!RpcTransport.needsTask(c)) {
                return measure(c, o, where, peer, responderCpu, out);
            }
            try {
                return Weft.run(RpcTransport.requesterRuntime(), () -> measure(c, o, where, peer, responderCpu, out));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("the requester's task failed: " + e, e);
            }
        } catch (ContenderUnavailableException e) {
            out.println("skipped: " + e.getMessage());
            return IpcResult.skipped(c, e.getMessage());
        } catch (IOException | RuntimeException | LinkageError e) {
            String tail = responder == null ? "" : responder.logTail();
            out.println("failed: " + e.getMessage());
            return IpcResult.failed(c, e + tail);
        } finally {
            if (responder != null) {
                responder.close();
            }
            if (dir != null) {
                deleteTree(dir, out);
            }
        }
    }

    /** Opens the requester, warms up, measures the runs, closes the requester (in a Weft task for the RPC contenders). */
    private static IpcResult measure(IpcContender c, IpcOptions o, Path dir, ServerProcess responder, Integer responderCpu,
                                     PrintStream out) throws IOException {
        long nanos = (long) (o.seconds() * 1e9);
        long warmNanos = (long) (o.warmupSeconds() * 1e9 / 2);
        IpcRequester requester = Transports.requester(c, dir, responder == null ? 0 : responder.port(), o.size(), responderCpu);
        try {
            RoundTrips trips = new RoundTrips(requester);
            if (warmNanos > 0) {
                trips.latency(warmNanos);
                trips.throughput(o.window(), warmNanos, null);
                out.print("warm ");
            }
            List<IpcResult.Run> runs = new ArrayList<>();
            long self = ProcessHandle.current().pid();
            for (int i = 0; i < o.runs(); i++) {
                RoundTrips.Latency lat = trips.latency(nanos);
                CpuWindow cpu = new CpuWindow(responder == null ? self : responder.pid(), responderCpu);
                RoundTrips.Throughput tp = trips.throughput(o.window(), nanos, cpu);
                runs.add(new IpcResult.Run(lat, tp, cpu.result(), c.inProcess()));
                out.printf(Locale.ROOT, "| p50 %.2f µs, %,.0f/s ", lat.nanos().getValueAtPercentile(50) / 1000.0, tp.opsPerSec());
                out.flush();
            }
            if (responder != null && !responder.isAlive()) {
                out.println("| responder died");
                return IpcResult.failed(c, "the responder exited during the run" + responder.logTail());
            }
            out.println("| done");
            String info = Stream.of(responder == null ? "" : responder.info(), requester.info())
                    .filter(s -> !s.isEmpty()).reduce((a, b) -> a + "; " + b).orElse("");
            return IpcResult.measured(c, info, runs);
        } finally {
            try {
                requester.close();
            } catch (IOException e) {
                out.println("note: closing the " + c.id() + " requester: " + e.getMessage());
            }
        }
    }

    private static void deleteTree(Path dir, PrintStream out) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            out.println("note: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static void printTable(List<IpcResult> results, IpcOptions o, PrintStream out) {
        String head = String.format(Locale.ROOT, "%-21s %12s %9s %9s %9s %10s %10s %10s %6s",
                "contender", "ops/s", "p50 µs", "p99 µs", "p999 µs", "cpu µs/op", "resp µs/op", "req µs/op", "window");
        out.println(head);
        out.println("-".repeat(head.length()));
        List<String> notes = new ArrayList<>();
        for (IpcResult r : results) {
            if (!r.measured()) {
                out.printf(Locale.ROOT, "%-21s %12s%n", r.contender.id(), r.status == IpcResult.Status.SKIPPED ? "skipped" : "FAILED");
                notes.add(r.contender.id() + ": " + r.reason);
                continue;
            }
            out.printf(Locale.ROOT, "%-21s %,12.0f %9.2f %9.2f %9.2f %10.3f %10.3f %10.3f %6d%n",
                    r.contender.id(), r.opsPerSec(), r.p50(), r.median(x -> x.p(99)), r.median(x -> x.p(99.9)),
                    r.median(IpcResult.Run::cpuUsPerOp), r.median(IpcResult.Run::responderUsPerOp),
                    r.median(IpcResult.Run::requesterUsPerOp), r.window());
            if (!r.info.isEmpty()) {
                notes.add(r.contender.id() + ": " + r.info);
            }
        }
        out.println("medians of " + o.runs() + " run(s). ops/s: round trips per second with a window of requests outstanding;"
                + " p50/p99/p999: one request outstanding.");
        out.println("cpu µs/op: user+system time of both processes per round trip in the throughput window"
                + " (resp: the responder's, req: the requester's; the floor is one process).");
        notes.forEach(n -> out.println("note: " + n));
    }

    /** A target's line: what it compares, its value, and met / missed / n/a. */
    record Target(String name, String line, Boolean met) {
    }

    static List<Target> targets(List<IpcResult> results) {
        Optional<IpcResult> spin = find(results, IpcContender.WEFT_RING_BUSY_SPIN);
        Optional<IpcResult> floor = find(results, IpcContender.FLOOR);
        Optional<IpcResult> agrona = find(results, IpcContender.AGRONA_ONE_TO_ONE);
        Optional<IpcResult> notify = find(results, IpcContender.WEFT_RING_NOTIFY);
        Optional<IpcResult> rpcHybrid = find(results, IpcContender.WEFT_RPC_HYBRID);
        List<Target> out = new ArrayList<>();
        if (spin.isPresent() && floor.isPresent()) {
            // The floor is the least a round trip can take: its fastest run, not its median,
            // since a slower run measures what else the machine did, not the hardware.
            double floorP50 = floor.get().bestP50();
            double ratio = spin.get().p50() / floorP50;
            out.add(new Target("busy-spin p50 ≤ 1.5× floor", String.format(Locale.ROOT,
                    "weft-ring-busy-spin p50 %.2f µs is %.2f× floor's %.2f µs, its fastest run (target ≤ 1.5×)",
                    spin.get().p50(), ratio, floorP50), ratio <= 1.5));
        } else {
            out.add(new Target("busy-spin p50 ≤ 1.5× floor", "weft-ring-busy-spin p50 vs floor: " + notMeasured(results, IpcContender.WEFT_RING_BUSY_SPIN, IpcContender.FLOOR), null));
        }
        if (spin.isPresent() && agrona.isPresent()) {
            double ratio = spin.get().opsPerSec() / agrona.get().opsPerSec();
            out.add(new Target("weft-ring ops/s ≥ agrona", String.format(Locale.ROOT,
                    "weft-ring-busy-spin %,.0f round trips/s is %.2f× agrona-one-to-one's %,.0f (target ≥ 1×; both spin)",
                    spin.get().opsPerSec(), ratio, agrona.get().opsPerSec()), ratio >= 1));
        } else {
            out.add(new Target("weft-ring ops/s ≥ agrona", "weft-ring-busy-spin ops/s vs agrona-one-to-one: "
                    + notMeasured(results, IpcContender.WEFT_RING_BUSY_SPIN, IpcContender.AGRONA_ONE_TO_ONE), null));
        }
        if (notify.isPresent()) {
            out.add(new Target("notify p50 ≤ 10 µs", String.format(Locale.ROOT,
                    "weft-ring-notify p50 %.2f µs (target ≤ 10 µs)", notify.get().p50()), notify.get().p50() <= 10));
        } else {
            out.add(new Target("notify p50 ≤ 10 µs", "weft-ring-notify p50: " + notMeasured(results, IpcContender.WEFT_RING_NOTIFY), null));
        }
        if (rpcHybrid.isPresent()) {
            out.add(new Target("rpc hybrid p50 ≤ 2 µs", String.format(Locale.ROOT,
                    "weft-rpc-hybrid p50 %.2f µs, calls back to back so each side is still polling (target ≤ 2 µs)",
                    rpcHybrid.get().p50()), rpcHybrid.get().p50() <= 2));
        } else {
            out.add(new Target("rpc hybrid p50 ≤ 2 µs", "weft-rpc-hybrid p50: " + notMeasured(results, IpcContender.WEFT_RPC_HYBRID), null));
        }
        return out;
    }

    private static Optional<IpcResult> find(List<IpcResult> results, IpcContender c) {
        return results.stream().filter(r -> r.contender == c && r.measured()).findFirst();
    }

    private static String notMeasured(List<IpcResult> results, IpcContender... needed) {
        return "n/a (" + Arrays.stream(needed).filter(c -> find(results, c).isEmpty()).map(IpcContender::id)
                .collect(Collectors.joining(" and ")) + " not measured)";
    }

    private static void printTargets(List<IpcResult> results, PrintStream out) {
        for (Target t : targets(results)) {
            out.println("target, " + (t.met == null ? "n/a" : t.met ? "met" : "missed") + ": " + t.line);
        }
    }

    private static String chart(List<IpcResult> results, IpcOptions o, Machine m, boolean pinned) {
        List<SvgBarChart.Panel> panels = new ArrayList<>();
        panels.add(panel("Round trip p50, one request outstanding", "µs", true, results, IpcResult::p50));
        panels.add(panel("Round trip p99, one request outstanding", "µs", true, results, r -> r.median(x -> x.p(99))));
        panels.add(panel("Round trips per second, window of " + o.window(), "round trips/s", false, results, IpcResult::opsPerSec));
        panels.add(panel("CPU per round trip, both processes", "µs", true, results, r -> r.median(IpcResult.Run::cpuUsPerOp)));
        String sub = String.format(Locale.ROOT, "%d-byte messages between two processes; median of %d × %.1f s per mode; "
                        + "responder and requester %s%n%s",
                o.size(), o.runs(), o.seconds(), pinned ? "on CPUs " + o.serverCpu() + " and " + o.loadgenCpu() : "unpinned",
                m.describe());
        return SvgBarChart.render("Weft IPC benchmark", sub, panels);
    }

    private static SvgBarChart.Panel panel(String title, String unit, boolean lower, List<IpcResult> results,
                                           ToDoubleFunction<IpcResult> value) {
        List<SvgBarChart.Bar> bars = new ArrayList<>();
        for (IpcResult r : results) {
            if (!r.measured()) {
                bars.add(new SvgBarChart.Bar(r.contender.id(), null, r.status == IpcResult.Status.SKIPPED ? "skipped" : "failed"));
            } else {
                bars.add(new SvgBarChart.Bar(r.contender.id(), value.applyAsDouble(r),
                        r.contender.inProcess() && title.startsWith("Round trips per") ? "window 1" : ""));
            }
        }
        return new SvgBarChart.Panel(title, unit, lower, bars);
    }
}
