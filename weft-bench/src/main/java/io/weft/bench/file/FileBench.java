package io.weft.bench.file;

import io.weft.bench.Durations;
import io.weft.bench.Json;
import io.weft.bench.Machine;
import io.weft.bench.Options;
import io.weft.bench.ProcStat;
import io.weft.bench.ResultsFile;
import io.weft.bench.Stats;
import io.weft.bench.SvgBarChart;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadFactory;

/**
 * {@code ./weft bench file}: 4 KiB random reads from a page-cached file, Weft's
 * {@code AsyncFile} (io_uring natively; epoll and nio through the blocking pool) beside a
 * {@code FileChannel} shared by JDK virtual threads and by platform threads, at a few
 * concurrency levels. Writes {@code file.json} and {@code file.svg}.
 */
/*
 * Overview
 *
 * 1. Make the file (--file-mib, random content, each 4 KiB block starting with its own
 *    offset so every read can be checked) unless one of that size is there, then read it
 *    once so the page cache holds it: the benchmark measures the I/O path, not the disk.
 * 2. For each concurrency level, for each contender, --runs times: start the readers, warm
 *    up, measure a window (FileReaders). Every contender runs in this JVM, one after the
 *    other, so they share the JIT's state; the warm-up of each run absorbs that.
 * 3. Report the median over runs of ops/s, of p50/p99/p99.9 latency (HdrHistogram) and of
 *    the process's CPU time per read (user + system from /proc/self/stat; it counts every
 *    thread: loops, the blocking pool, JIT and GC).
 *
 * Rejected: a separate JVM per contender, as the echo harness does. There a server and a
 * load generator must not share cores; here the readers are the whole workload, and one
 * JVM keeps the run short enough to repeat.
 */
public final class FileBench {
    private FileBench() {
    }

    static final List<String> CONTENDERS = List.of("weft-io_uring", "weft-epoll", "weft-nio", "jdk-virtual-threads", "jdk-platform-threads");

    public static final Set<String> VALUED = Set.of("file-mib", "seconds", "warmup-seconds", "runs", "concurrency", "file-contenders", "dir", "out");
    public static final Set<String> FLAGS = Set.of("quick", "keep-file");

    public static final String USAGE = """
            usage: ./weft bench file [options]
              --file-mib N          size of the file read (default 256), kept in the page cache
              --seconds S           measured window of each run (default 5)
              --warmup-seconds S    warm-up before each window (default 2)
              --runs N              runs per contender and concurrency; figures are medians (default 3)
              --concurrency LIST    readers at once, comma-separated (default 1,16,64)
              --file-contenders L  of weft-io_uring, weft-epoll, weft-nio, jdk-virtual-threads, jdk-platform-threads (default all)
              --dir DIR             where the file is made (default the JDK's temp directory)
              --keep-file           keep the file for the next run instead of deleting it
              --out DIR             where file.json and file.svg go (default bench-results)
              --quick               a 32 MiB file, 1 run of 1 s after 0.5 s, concurrency 1,16, unless given
            """;

    /** The parameters of a run. */
    public record Settings(int fileMib, double seconds, double warmupSeconds, int runs, List<Integer> concurrency,
                           List<String> contenders, Path dir, boolean keepFile, Path out) {

        public static Settings from(Options o, Path defaultOut) {
            boolean quick = o.flag("quick");
            List<Integer> conc = o.list("concurrency", quick ? List.of("1", "16") : List.of("1", "16", "64")).stream()
                    .map(s -> {
                        try {
                            int n = Integer.parseInt(s);
                            if (n >= 1) {
                                return n;
                            }
                        } catch (NumberFormatException e) {
                            // reported below
                        }
                        throw new IllegalArgumentException("--concurrency takes whole numbers of at least 1: '" + s + "'");
                    }).toList();
            List<String> contenders = o.list("file-contenders", CONTENDERS);
            for (String c : contenders) {
                if (!CONTENDERS.contains(c)) {
                    throw new IllegalArgumentException("unknown contender '" + c + "' (known: " + String.join(", ", CONTENDERS) + ")");
                }
            }
            return new Settings(
                    o.intValue("file-mib", quick ? 32 : 256, 1),
                    o.doubleValue("seconds", quick ? 1 : 5, 0.1),
                    o.doubleValue("warmup-seconds", quick ? 0.5 : 2, 0),
                    o.intValue("runs", quick ? 1 : 3, 1),
                    conc, contenders,
                    Path.of(o.string("dir", System.getProperty("java.io.tmpdir"))),
                    o.flag("keep-file"),
                    Path.of(o.string("out", defaultOut.toString())));
        }

        /** Seconds the run is expected to take, not counting making the file. */
        public double plannedSeconds() {
            return concurrency.size() * contenders.size() * runs * (seconds + warmupSeconds + 0.3);
        }
    }

    /** One contender at one concurrency: its runs, or why it has none. */
    record Result(String contender, int concurrency, List<FileReaders.Window> runs, String skipped) {

        double median(java.util.function.ToDoubleFunction<FileReaders.Window> f) {
            return Stats.median(runs.stream().mapToDouble(f).toArray());
        }

        double opsPerSec() {
            return median(w -> w.ops() * 1e9 / w.elapsedNanos());
        }

        double percentileUs(double p) {
            return median(w -> w.latency().getValueAtPercentile(p) / 1000.0);
        }

        /** CPU µs per read from {@code ticks} of the window. */
        double cpuUs(java.util.function.ToLongFunction<FileReaders.Window> ticks) {
            return median(w -> w.ops() == 0 ? Double.NaN : ticks.applyAsLong(w) * 1e6 / ProcStat.ticksPerSecond() / w.ops());
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("contender", contender);
            m.put("concurrency", concurrency);
            if (skipped != null) {
                m.put("skipped", skipped);
                return m;
            }
            m.put("ops_per_sec", Json.round(opsPerSec(), 1));
            m.put("p50_us", Json.round(percentileUs(50), 2));
            m.put("p99_us", Json.round(percentileUs(99), 2));
            m.put("p999_us", Json.round(percentileUs(99.9), 2));
            m.put("cpu_us_per_op", Json.round(cpuUs(FileReaders.Window::cpuTicks), 3));
            m.put("cpu_user_us_per_op", Json.round(cpuUs(FileReaders.Window::cpuUserTicks), 3));
            m.put("cpu_sys_us_per_op", Json.round(cpuUs(FileReaders.Window::cpuSysTicks), 3));
            m.put("runs", runs.size());
            return m;
        }
    }

    /** Runs the benchmark; returns the path of file.json. */
    public static Path run(Settings s, PrintStream out) throws Exception {
        Machine machine = Machine.current();
        out.println("machine: " + machine.describe());
        out.printf(Locale.ROOT, "file: %d MiB, %d-byte random reads, concurrency %s, %d run(s) × (%.1f s warm-up + %.1f s); planned: about %s%n",
                s.fileMib, FileReaders.BLOCK, s.concurrency, s.runs, s.warmupSeconds, s.seconds, Durations.describe(s.plannedSeconds()));
        Path file = s.dir.resolve("weft-bench-file-" + s.fileMib + "m.dat");
        long bytes = (long) s.fileMib << 20;
        prepare(file, bytes, out);
        List<Result> results = new ArrayList<>();
        try {
            for (int c : s.concurrency) {
                for (String contender : s.contenders) {
                    Result r = measure(contender, c, file, bytes / FileReaders.BLOCK, s);
                    results.add(r);
                    out.println(line(r));
                }
            }
        } finally {
            if (!s.keepFile) {
                Files.deleteIfExists(file);
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("file_mib", s.fileMib);
        params.put("block_bytes", FileReaders.BLOCK);
        params.put("seconds", s.seconds);
        params.put("warmup_seconds", s.warmupSeconds);
        params.put("runs", s.runs);
        params.put("concurrency", s.concurrency);
        params.put("cpu", "user+system time of the whole benchmark process per read, from /proc/self/stat");
        List<Map<String, Object>> json = results.stream().map(Result::toJson).toList();
        Path jsonPath = new ResultsFile("file", machine, params, json).write(s.out);
        Path svg = s.out.resolve("file.svg");
        Files.writeString(svg, chart(results, s, machine));
        out.println("ops/s, latency and CPU are medians of " + s.runs + " run(s); cpu µs/op counts every thread of this process.");
        out.println("wrote " + jsonPath + " and " + svg);
        return jsonPath;
    }

    private static Result measure(String contender, int concurrency, Path file, long blocks, Settings s) {
        Duration warmup = Duration.ofMillis(Math.round(s.warmupSeconds * 1000));
        Duration window = Duration.ofMillis(Math.round(s.seconds * 1000));
        List<FileReaders.Window> runs = new ArrayList<>();
        try {
            for (int i = 0; i < s.runs; i++) {
                runs.add(switch (contender) {
                    case "weft-io_uring" -> FileReaders.weft("io_uring", file, blocks, concurrency, warmup, window);
                    case "weft-epoll" -> FileReaders.weft("epoll", file, blocks, concurrency, warmup, window);
                    case "weft-nio" -> FileReaders.weft("nio", file, blocks, concurrency, warmup, window);
                    case "jdk-virtual-threads" -> FileReaders.jdk(Thread.ofVirtual().factory(), file, blocks, concurrency, warmup, window);
                    case "jdk-platform-threads" -> FileReaders.jdk(platform(), file, blocks, concurrency, warmup, window);
                    default -> throw new IllegalArgumentException(contender);
                });
            }
            return new Result(contender, concurrency, runs, null);
        } catch (UnsupportedOperationException e) {
            return new Result(contender, concurrency, List.of(), "unavailable here: " + e.getMessage());
        } catch (Exception e) {
            return new Result(contender, concurrency, List.of(), "failed: " + e);
        }
    }

    private static ThreadFactory platform() {
        return Thread.ofPlatform().daemon(true).name("file-reader-", 0).factory();
    }

    /** Makes the file unless it has the size already, then reads it all once into the page cache. */
    static void prepare(Path file, long bytes, PrintStream out) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) != bytes) {
            out.printf(Locale.ROOT, "making %s (%d MiB)%n", file, bytes >> 20);
            SplittableRandom rnd = new SplittableRandom(42);
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long pos = 0; pos < bytes; pos += chunk.capacity()) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        chunk.putLong(rnd.nextLong());
                    }
                    for (int b = 0; b < chunk.capacity(); b += FileReaders.BLOCK) {
                        chunk.putLong(b, pos + b); // each block names its own offset (see FileReaders)
                    }
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        ch.write(chunk, pos + chunk.position());
                    }
                }
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            for (long pos = 0; pos < bytes; ) {
                int n = ch.read(b.clear(), pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
        }
    }

    private static String line(Result r) {
        if (r.skipped != null) {
            return String.format(Locale.ROOT, "%-22s c=%-4d %s", r.contender, r.concurrency, r.skipped);
        }
        return String.format(Locale.ROOT, "%-22s c=%-4d %,12.0f ops/s  p50 %8.1f  p99 %8.1f  p999 %9.1f µs  cpu %7.2f µs/op (user %.2f, sys %.2f)",
                r.contender, r.concurrency, r.opsPerSec(), r.percentileUs(50), r.percentileUs(99), r.percentileUs(99.9),
                r.cpuUs(FileReaders.Window::cpuTicks), r.cpuUs(FileReaders.Window::cpuUserTicks), r.cpuUs(FileReaders.Window::cpuSysTicks));
    }

    private static String chart(List<Result> results, Settings s, Machine m) {
        List<SvgBarChart.Panel> panels = new ArrayList<>();
        panels.add(panel("4 KiB random reads", "reads/s", false, results, Result::opsPerSec));
        panels.add(panel("CPU per read (whole process)", "µs", true, results, r -> r.cpuUs(FileReaders.Window::cpuTicks)));
        panels.add(panel("p99 read latency", "µs", true, results, r -> r.percentileUs(99)));
        String sub = String.format(Locale.ROOT, "%d MiB page-cached file, %d-byte reads at random offsets; c = readers at once; "
                + "median of %d × %.1f s%n%s", s.fileMib, FileReaders.BLOCK, s.runs, s.seconds, m.describe());
        return SvgBarChart.render("Weft file benchmark", sub, panels);
    }

    private static SvgBarChart.Panel panel(String title, String unit, boolean lower, List<Result> results,
                                           java.util.function.ToDoubleFunction<Result> value) {
        List<SvgBarChart.Bar> bars = new ArrayList<>();
        for (Result r : results) {
            String label = r.contender + " c=" + r.concurrency;
            bars.add(r.skipped != null ? new SvgBarChart.Bar(label, null, r.skipped) : new SvgBarChart.Bar(label, value.applyAsDouble(r), ""));
        }
        return new SvgBarChart.Panel(title, unit, lower, bars);
    }
}
