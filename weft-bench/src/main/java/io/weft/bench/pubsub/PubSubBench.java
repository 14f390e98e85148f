package io.weft.bench.pubsub;

import io.weft.bench.ChildJvm;
import io.weft.bench.Json;
import io.weft.bench.Machine;
import io.weft.bench.Options;
import io.weft.bench.Pinning;
import io.weft.bench.ResultsFile;
import io.weft.bench.SvgBarChart;
import io.weft.bench.ThreadAffinity;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./weft bench pubsub}: one publisher (this JVM) to 1 and 4 subscriber JVMs, 64 B and
 * 4 KiB messages: weft-pubsub reliable and unreliable with spinning and notified
 * subscribers, Aeron IPC with an embedded media driver, a Unix-socket broker that copies
 * each message to each subscriber, and the floor of one thread handing a cache line to
 * another. A table with the targets met or missed, {@code pubsub.json} and
 * {@code pubsub.svg} in the output directory.
 */
/*
 * Overview
 *
 * For each contender, size and subscriber count: a fresh directory under /dev/shm; the
 * sender in this JVM (with the pub/sub server, Aeron's driver or the broker beside it);
 * the subscriber JVMs on the server CPU (all of them on one core when pinned: on a 2-core
 * machine there is no other); then
 *   latency:    one message every 50 µs for the window; each subscriber records publish
 *               to receive time (System.nanoTime in both processes: one clock);
 *   throughput: messages as fast as the sender goes for the window, then 200 ms for the
 *               subscribers to drain; delivered/s is the slowest subscriber's count over
 *               the window; CPU is every process's user+system time over the window per
 *               message sent.
 * Subscribers are told START and STOP on their standard input and answer with STATS.
 */
public final class PubSubBench {
    private PubSubBench() {
    }

    public static final Set<String> VALUED = Set.of("seconds", "warmup", "sizes", "subscribers", "contenders", "server-cpu", "loadgen-cpu", "out");
    public static final Set<String> FLAGS = Set.of("no-pin");
    public static final String USAGE = """
            usage: ./weft bench pubsub [options]
              --seconds S         length of the latency window and of the throughput window (default 1)
              --warmup S          messages sent before each measurement, not reported (default 0.5)
              --sizes LIST        message sizes in bytes (default 64,4096)
              --subscribers LIST  subscriber processes (default 1,4)
              --contenders LIST   any of %s (default all)
              --server-cpu N      CPU of the subscribers (default 0)
              --loadgen-cpu N     CPU of the publisher, this JVM (default 1)
              --no-pin            do not pin
              --out DIR           where pubsub.json and pubsub.svg go (default bench-results)
            """.formatted(String.join(", ", PubSubContender.all()));

    /** One measured (or skipped) combination. */
    record Result(PubSubContender contender, int size, int subscribers, String status, String reason,
                  double p50, double p99, double perSec, double cpuUsPerMsg, long dropped) {
        boolean measured() {
            return status.equals("measured");
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("contender", contender.id());
            m.put("size", size);
            m.put("subscribers", subscribers);
            m.put("status", status);
            if (!reason.isEmpty()) {
                m.put("reason", reason);
            }
            if (measured()) {
                m.put("p50_us", Json.round(p50, 3));
                m.put("p99_us", Json.round(p99, 3));
                m.put("delivered_per_sec", Math.round(perSec));
                m.put("cpu_us_per_msg", Json.round(cpuUsPerMsg, 4));
                m.put("dropped", dropped);
            }
            return m;
        }
    }

    public static boolean run(Options o, Path defaultOut, PrintStream out) throws Exception {
        double seconds = o.doubleValue("seconds", 1, 0.05);
        double warmup = o.doubleValue("warmup", 0.5, 0);
        List<Integer> sizes = o.list("sizes", List.of("64", "4096")).stream().map(Integer::parseInt).toList();
        List<Integer> counts = o.list("subscribers", List.of("1", "4")).stream().map(Integer::parseInt).toList();
        List<PubSubContender> contenders = o.list("contenders", PubSubContender.all()).stream().map(PubSubContender::of).toList();
        for (int s : sizes) {
            if (s < 8 || s > 1 << 20) {
                throw new IllegalArgumentException("--sizes must be 8 to 1 MiB each: " + s);
            }
        }
        Pinning pinning = Pinning.from(o);
        Machine machine = Machine.current();
        String why = pinning.problem(machine);
        Integer subCpu = why == null ? pinning.serverCpu() : null;
        if (pinning.pin() && why != null) {
            out.println("note: not pinning: " + why);
        }
        Path outDir = Path.of(o.string("out", defaultOut.toString()));
        Path shm = Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        out.println("machine: " + machine.describe());
        out.printf(Locale.ROOT, "pubsub: sizes %s, subscribers %s, %.2f s latency + %.2f s throughput after %.2f s warm-up; subscribers %s%n",
                sizes, counts, seconds, seconds, warmup, subCpu != null ? "on CPU " + subCpu + ", publisher on CPU " + pinning.loadgenCpu() : "unpinned");
        List<Result> results = new ArrayList<>();
        for (PubSubContender c : contenders) {
            for (int size : sizes) {
                for (int n : counts) {
                    out.printf("%-30s %5d B %d sub(s) ", c.id(), size, n);
                    out.flush();
                    Result r;
                    try {
                        r = c == PubSubContender.FLOOR ? floor(size, n, seconds, warmup, subCpu)
                                : measure(c, size, n, seconds, warmup, subCpu, shm, outDir);
                    } catch (Exception e) {
                        r = new Result(c, size, n, "failed", e.toString(), 0, 0, 0, 0, 0);
                    }
                    out.println(r.measured() ? String.format(Locale.ROOT, "p50 %.2f µs p99 %.2f µs %,.0f/s %.3f µs cpu/msg",
                            r.p50(), r.p99(), r.perSec(), r.cpuUsPerMsg()) : r.status() + ": " + r.reason());
                    results.add(r);
                }
            }
        }
        out.println();
        printTable(results, out);
        for (String t : targets(results, outDir)) {
            out.println(t);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("seconds", seconds);
        params.put("warmup", warmup);
        params.put("sizes", sizes);
        params.put("subscribers", counts);
        params.put("pinned", subCpu != null);
        params.put("latency_gap_us", 50);
        Path json = new ResultsFile("pubsub", machine, params, results.stream().map(Result::toJson).toList()).write(outDir);
        Path svg = outDir.resolve("pubsub.svg");
        Files.writeString(svg, chart(results, seconds, machine, subCpu != null));
        out.println("wrote " + json + " and " + svg);
        return results.stream().noneMatch(r -> r.status().equals("failed"));
    }

    /** A subscriber JVM and its answers. */
    private static final class SubProcess implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Writer in;

        SubProcess(PubSubContender c, Path dir, Integer cpu, Path log) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(ChildJvm.java());
            cmd.addAll(ChildJvm.inheritedFlags());
            for (String f : List.of("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")) {
                if (!cmd.contains(f)) {
                    cmd.add(f);
                }
            }
            cmd.addAll(List.of("-Xms256m", "-Xmx256m", "-cp", ChildJvm.classPath(), SubscriberMain.class.getName(), c.id(), dir.toString()));
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(cpu != null ? ChildJvm.pinned(cpu, cmd) : cmd).redirectError(log.toFile()).start();
            in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // ended
                }
            });
        }

        String expect(String prefix) throws Exception {
            String line = lines.poll(60, TimeUnit.SECONDS);
            if (line == null || !line.startsWith(prefix)) {
                throw new IOException("subscriber pid " + process.pid() + " said " + line + " instead of " + prefix + " (alive: " + process.isAlive() + ")");
            }
            return line;
        }

        void tell(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
        }

        @Override
        public void close() throws Exception {
            try {
                in.close();
            } catch (IOException ignored) {
                // gone already
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Result measure(PubSubContender c, int size, int n, double seconds, double warmup, Integer subCpu, Path shm, Path outDir)
            throws Exception {
        Path dir = Files.createTempDirectory(shm, "weft-pubsub-bench-");
        List<SubProcess> subs = new ArrayList<>();
        try (Fanout.Sender sender = Fanout.sender(c, dir, size, n)) {
            for (int i = 0; i < n; i++) {
                subs.add(new SubProcess(c, dir, subCpu, outDir.resolve("logs").resolve("pubsub-" + c.id() + "-" + i + ".log")));
            }
            for (SubProcess s : subs) {
                s.expect("READY");
            }
            if (sender instanceof Fanout.AeronSender a) {
                long end = System.nanoTime() + 30_000_000_000L;
                while (!a.connected()) {
                    if (System.nanoTime() > end) {
                        throw new IOException("aeron subscribers did not connect within 30 s");
                    }
                    Thread.sleep(1);
                }
            }
            long windowNanos = (long) (seconds * 1e9);
            paced(sender, (long) (warmup * 1e9));
            // latency: one message at a time, with a gap
            tellAll(subs, "START");
            paced(sender, windowNanos);
            Thread.sleep(200);
            List<long[]> lat = stats(subs);
            // throughput: as fast as the sender goes
            tellAll(subs, "START");
            List<Long> pids = new ArrayList<>(subs.stream().map(s -> s.process.pid()).toList());
            pids.add(ProcessHandle.current().pid());
            long cpu0 = cpuNanos(pids);
            long start = System.nanoTime();
            long sent = 0;
            while (System.nanoTime() - start < windowNanos) {
                for (int i = 0; i < 64; i++) {
                    sender.send(System.nanoTime());
                }
                sent += 64;
            }
            Thread.sleep(200);
            long cpu1 = cpuNanos(pids);
            List<long[]> tp = stats(subs);
            double p50 = lat.stream().mapToLong(x -> x[2]).average().orElse(0) / 1000.0;
            double p99 = lat.stream().mapToLong(x -> x[3]).max().orElse(0) / 1000.0;
            long slowest = tp.stream().mapToLong(x -> x[0]).min().orElse(0);
            long dropped = tp.stream().mapToLong(x -> x[1]).sum();
            return new Result(c, size, n, "measured", "", p50, p99, slowest / seconds, (cpu1 - cpu0) / 1000.0 / Math.max(1, sent), dropped);
        } finally {
            for (SubProcess s : subs) {
                s.close();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void paced(Fanout.Sender sender, long nanos) throws IOException {
        long start = System.nanoTime();
        long next = start;
        while (System.nanoTime() - start < nanos) {
            while (System.nanoTime() - next < 0) {
                Thread.onSpinWait();
            }
            sender.send(System.nanoTime());
            next += 50_000;
        }
    }

    private static void tellAll(List<SubProcess> subs, String command) throws IOException {
        for (SubProcess s : subs) {
            s.tell(command);
        }
    }

    /** STOP to every subscriber; each one's {received, dropped, p50 ns, p99 ns}. */
    private static List<long[]> stats(List<SubProcess> subs) throws Exception {
        tellAll(subs, "STOP");
        List<long[]> out = new ArrayList<>();
        for (SubProcess s : subs) {
            String[] f = s.expect("STATS").split(" ");
            out.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])});
        }
        return out;
    }

    private static long cpuNanos(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            sum += ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
        }
        return sum;
    }

    // ---- floor -------------------------------------------------------------------------------

    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int TS = 8;
    private static final int ACK = 24;

    /**
     * One thread stores a timestamp in a cache line, another (on the subscribers' CPU)
     * spins until it sees it and answers on a second line: the least a one-way hand-over
     * between two cores costs. One reader only.
     */
    private static Result floor(int size, int n, double seconds, double warmup, Integer cpu) throws Exception {
        if (n != 1) {
            return new Result(PubSubContender.FLOOR, size, n, "skipped", "the floor has one reader", 0, 0, 0, 0, 0);
        }
        long[] cell = new long[32];
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            if (cpu != null) {
                ThreadAffinity.pinCurrentThread(cpu);
            }
            long seen = 0;
            while (true) {
                long ts = (long) CELL.getAcquire(cell, TS);
                if (ts == -1) {
                    return;
                }
                if (ts != seen) {
                    seen = ts;
                    h.recordValue(Math.max(0, System.nanoTime() - ts));
                    CELL.setRelease(cell, ACK, ts);
                }
                Thread.onSpinWait();
            }
        });
        long[] counts = new long[1];
        Runnable once = () -> {
            long ts = System.nanoTime();
            CELL.setRelease(cell, TS, ts);
            while ((long) CELL.getAcquire(cell, ACK) != ts) {
                Thread.onSpinWait();
            }
            counts[0]++;
        };
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < warmup * 1e9) {
            once.run();
        }
        h.reset();
        counts[0] = 0;
        long start = System.nanoTime();
        long cpu0 = cpuNanos(List.of(ProcessHandle.current().pid()));
        while (System.nanoTime() - start < seconds * 1e9) {
            once.run();
        }
        long cpu1 = cpuNanos(List.of(ProcessHandle.current().pid()));
        CELL.setRelease(cell, TS, -1L);
        reader.join(Duration.ofSeconds(5));
        return new Result(PubSubContender.FLOOR, size, 1, "measured", "", h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                counts[0] / seconds, (cpu1 - cpu0) / 1000.0 / Math.max(1, counts[0]), 0);
    }

    // ---- report ------------------------------------------------------------------------------

    private static void printTable(List<Result> results, PrintStream out) {
        String head = String.format(Locale.ROOT, "%-30s %6s %4s %9s %9s %14s %11s %10s", "contender", "size", "subs", "p50 µs", "p99 µs",
                "delivered/s", "cpu µs/msg", "dropped");
        out.println(head);
        out.println("-".repeat(head.length()));
        for (Result r : results) {
            if (!r.measured()) {
                out.printf(Locale.ROOT, "%-30s %6d %4d %s: %s%n", r.contender().id(), r.size(), r.subscribers(), r.status(), r.reason());
                continue;
            }
            out.printf(Locale.ROOT, "%-30s %6d %4d %9.2f %9.2f %,14.0f %11.3f %10d%n", r.contender().id(), r.size(), r.subscribers(),
                    r.p50(), r.p99(), r.perSec(), r.cpuUsPerMsg(), r.dropped());
        }
        out.println("p50/p99: publish to receive, one message every 50 µs (mean of the subscribers' p50, worst p99). delivered/s: the slowest"
                + " subscriber's messages per second with the sender flat out. cpu µs/msg: all processes' CPU per message sent.");
    }

    private static Result find(List<Result> results, PubSubContender c, int size, int subs) {
        return results.stream().filter(r -> r.contender() == c && r.size() == size && r.subscribers() == subs && r.measured()).findFirst().orElse(null);
    }

    static List<String> targets(List<Result> results, Path outDir) {
        List<String> t = new ArrayList<>();
        Result spin = find(results, PubSubContender.WEFT_RELIABLE_SPIN, 64, 1);
        Result aeron = find(results, PubSubContender.AERON_IPC, 64, 1);
        t.add(spin != null && aeron != null
                ? String.format(Locale.ROOT, "target, %s: spinning subscriber p50 %.2f µs vs aeron-ipc %.2f µs (64 B, 1 subscriber; target ≤)",
                spin.p50() <= aeron.p50() ? "met" : "missed", spin.p50(), aeron.p50())
                : "target, n/a: spinning subscriber p50 ≤ aeron-ipc (not both measured at 64 B, 1 subscriber)");
        Result spin4 = find(results, PubSubContender.WEFT_RELIABLE_SPIN, 64, 4);
        Result aeron4 = find(results, PubSubContender.AERON_IPC, 64, 4);
        t.add(spin4 != null && aeron4 != null
                ? String.format(Locale.ROOT, "target, %s: delivered/s with 4 subscribers %,.0f vs aeron-ipc %,.0f (64 B; target ≥)",
                spin4.perSec() >= aeron4.perSec() ? "met" : "missed", spin4.perSec(), aeron4.perSec())
                : "target, n/a: throughput with 4 subscribers ≥ aeron-ipc (not both measured at 64 B)");
        Result notify = find(results, PubSubContender.WEFT_RELIABLE_NOTIFY, 64, 1);
        Double ipcNotify = ipcNotifyP50(outDir.resolve("ipc.json"));
        t.add(notify != null && ipcNotify != null
                ? String.format(Locale.ROOT, "target, %s: notified subscriber p50 %.2f µs vs the IPC notify round trip p50 %.2f µs (from ipc.json; target ≤)",
                notify.p50() <= ipcNotify ? "met" : "missed", notify.p50(), ipcNotify)
                : "target, n/a: notified subscriber p50 ≤ the IPC notify round trip (needs weft-pubsub-reliable-notify here and "
                + "weft-ring-notify in " + outDir.resolve("ipc.json") + " from ./weft bench ipc)");
        Result small = find(results, PubSubContender.WEFT_RELIABLE_SPIN, 64, 1);
        Result big = find(results, PubSubContender.WEFT_RELIABLE_SPIN, 4096, 1);
        t.add(small != null && big != null
                ? String.format(Locale.ROOT, "target, %s: a 4 KiB message costs %.2f× a 64 B one in CPU per message (weft-pubsub-reliable-spin, 1 subscriber; target ≤ 1.2×)",
                big.cpuUsPerMsg() <= 1.2 * small.cpuUsPerMsg() ? "met" : "missed", big.cpuUsPerMsg() / small.cpuUsPerMsg())
                : "target, n/a: 4 KiB ≤ 1.2× 64 B (weft-pubsub-reliable-spin not measured at both sizes)");
        return t;
    }

    /** weft-ring-notify's p50 from a previous ./weft bench ipc, or null. */
    private static Double ipcNotifyP50(Path ipcJson) {
        try {
            String s = Files.readString(ipcJson);
            int i = s.indexOf("\"weft-ring-notify\"");
            if (i < 0) {
                return null;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"p50_us\"\\s*:\\s*([0-9.]+)").matcher(s);
            return m.find(i) ? Double.parseDouble(m.group(1)) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String chart(List<Result> results, double seconds, Machine m, boolean pinned) {
        List<SvgBarChart.Panel> panels = new ArrayList<>();
        panels.add(panel("Publish to receive p50, one message every 50 µs", "µs", true, results, Result::p50));
        panels.add(panel("Publish to receive p99", "µs", true, results, Result::p99));
        panels.add(panel("Messages delivered per second to the slowest subscriber", "msgs/s", false, results, Result::perSec));
        panels.add(panel("CPU per message, all processes", "µs", true, results, Result::cpuUsPerMsg));
        String sub = String.format(Locale.ROOT, "one publisher, subscriber processes %s; %.2f s per window%n%s",
                pinned ? "pinned (all subscribers on one CPU)" : "unpinned", seconds, m.describe());
        return SvgBarChart.render("Weft pub/sub benchmark", sub, panels);
    }

    private static SvgBarChart.Panel panel(String title, String unit, boolean lower, List<Result> results,
                                           java.util.function.ToDoubleFunction<Result> value) {
        List<SvgBarChart.Bar> bars = new ArrayList<>();
        for (Result r : results) {
            String label = r.contender().id() + " " + r.size() + "B×" + r.subscribers();
            bars.add(r.measured() ? new SvgBarChart.Bar(label, value.applyAsDouble(r), "") : new SvgBarChart.Bar(label, null, r.status()));
        }
        return new SvgBarChart.Panel(title, unit, lower, bars);
    }
}
