package io.weft.bench.micro;

import io.weft.bench.ChildJvm;
import io.weft.bench.Durations;
import io.weft.bench.Json;
import io.weft.bench.Machine;
import io.weft.bench.Options;
import io.weft.bench.ResultsFile;
import io.weft.bench.SvgBarChart;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs the micro-benchmarks through JMH's {@link Runner} and writes {@code micro.json}
 * and {@code micro.svg}.
 */
public final class MicroBench {
    private MicroBench() {
    }

    /**
     * The comparisons, in report order, each with what it measures. A new one goes here
     * (see the package documentation for its shape). Reserved: a channel ping-pong
     * ({@code ChannelPingPongBench}: two tasks bouncing a message over a pair of Weft
     * channels, beside two virtual threads over {@code SynchronousQueue}s), added with the
     * channels themselves.
     */
    static final Map<Class<?>, String> BENCHMARKS = benchmarks();

    private static Map<Class<?>, String> benchmarks() {
        Map<Class<?>, String> m = new LinkedHashMap<>();
        m.put(SpawnJoinBench.class, "spawn a task returning a value and join it");
        m.put(SwitchBench.class, "hand-off between two tasks via park/unpark and a volatile turn");
        m.put(SleepManyBench.class, "wall time for 10,000 tasks each sleeping 10 ms");
        m.put(BlockingCallBench.class, "round trip to a platform-thread pool and back");
        m.put(ChannelPingPongBench.class, "round trip over two channels: one loop, two loops, JDK queues");
        m.put(FanOutBench.class, "fan-out/fan-in pipeline on 2 loops: 1 producer, N workers of a few µs each, 1 collector");
        return m;
    }

    public static final Set<String> VALUED = Set.of("forks", "warmup-iterations", "iterations", "iteration-seconds", "include", "out");
    public static final Set<String> FLAGS = Set.of("quick");

    public static final String USAGE = """
            usage: ./weft bench micro [options]
              --forks N               JVM forks per benchmark (default 1)
              --warmup-iterations N   warm-up iterations per fork (default 3)
              --iterations N          measured iterations per fork (default 5)
              --iteration-seconds S   length of each iteration (default 1)
              --include REGEX         only benchmarks whose name (e.g. SpawnJoin.weft) matches
              --out DIR               where micro.json and micro.svg go (default bench-results)
              --quick                 1 fork, 1 warm-up and 2 measured iterations of 0.5 s unless given
            """;

    /** The parameters of a run. */
    public record Settings(int forks, int warmupIterations, int iterations, double iterationSeconds, Pattern include, Path out) {

        public static Settings from(Options o, Path defaultOut) {
            boolean quick = o.flag("quick");
            String include = o.string("include", "");
            return new Settings(
                    o.intValue("forks", 1, 1),
                    o.intValue("warmup-iterations", quick ? 1 : 3, 0),
                    o.intValue("iterations", quick ? 2 : 5, 1),
                    o.doubleValue("iteration-seconds", quick ? 0.5 : 1, 0.05),
                    include.isEmpty() ? null : Pattern.compile(include),
                    Path.of(o.string("out", defaultOut.toString())));
        }

        /** Benchmark names ({@code SpawnJoin.weft}) to run, in report order. */
        List<String> selected() {
            List<String> out = new ArrayList<>();
            for (Class<?> c : BENCHMARKS.keySet()) {
                Arrays.stream(c.getDeclaredMethods())
                        .filter(m -> m.isAnnotationPresent(Benchmark.class))
                        .map(Method::getName)
                        .sorted(Comparator.comparing((String n) -> !n.startsWith("weft")).thenComparing(n -> n))
                        .map(n -> shortName(c) + "." + n)
                        .filter(n -> include == null || include.matcher(n).find())
                        .forEach(out::add);
            }
            return out;
        }

        /** Seconds the run is expected to take: iterations plus about 2 s per fork to start a JVM. */
        public double plannedSeconds() {
            return selected().size() * forks * ((warmupIterations + iterations) * iterationSeconds + 2);
        }
    }

    /** Runs the selected benchmarks; returns the path of micro.json. */
    public static Path run(Settings s, PrintStream out) throws IOException, RunnerException {
        List<String> names = s.selected();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--include " + s.include + " matches no benchmark (names look like SpawnJoin.weft)");
        }
        Machine machine = Machine.current();
        // Replaces (not appends to) the host's options, which JMH would otherwise copy.
        List<String> jvmArgs = new ArrayList<>(ChildJvm.inheritedFlags());
        jvmArgs.addAll(List.of("-Xms1g", "-Xmx1g"));
        out.println("machine: " + machine.describe());
        out.printf(Locale.ROOT, "micro: %d benchmark(s), %d fork(s) × (%d warm-up + %d measured) × %.2f s; planned: about %s%n",
                names.size(), s.forks, s.warmupIterations, s.iterations, s.iterationSeconds,
                Durations.describe(s.plannedSeconds()));

        long ms = Math.round(s.iterationSeconds * 1000);
        ChainedOptionsBuilder b = new OptionsBuilder()
                .forks(s.forks)
                .warmupIterations(s.warmupIterations)
                .warmupTime(TimeValue.milliseconds(ms))
                .measurementIterations(s.iterations)
                .measurementTime(TimeValue.milliseconds(ms))
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .shouldFailOnError(true);
        for (String n : names) {
            b.include("^" + Pattern.quote(MicroBench.class.getPackageName() + "." + n.replace(".", "Bench.")) + "$");
        }
        List<RunResult> results = new ArrayList<>(new Runner(b.build()).run());
        results.sort(Comparator.comparingInt(r -> names.indexOf(name(r))));

        List<Map<String, Object>> json = new ArrayList<>();
        for (RunResult r : results) {
            Result<?> p = r.getPrimaryResult();
            Map<String, Object> m = new LinkedHashMap<>();
            String n = name(r);
            m.put("contender", n);
            m.put("score", Json.round(p.getScore(), 4));
            m.put("unit", p.getScoreUnit());
            m.put("error", Json.round(p.getScoreError(), 4));
            m.put("runs", p.getStatistics().getN());
            m.put("benchmark", n.substring(0, n.indexOf('.')));
            m.put("variant", n.substring(n.indexOf('.') + 1));
            m.put("mode", r.getParams().getMode().shortLabel());
            json.add(m);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("forks", s.forks);
        params.put("warmup_iterations", s.warmupIterations);
        params.put("iterations", s.iterations);
        params.put("iteration_seconds", s.iterationSeconds);
        params.put("error", "99.9% confidence half-width (JMH); null when there are too few samples for it");
        params.put("jvm_args", String.join(" ", jvmArgs));
        Map<String, Object> what = new LinkedHashMap<>();
        BENCHMARKS.forEach((c, d) -> what.put(shortName(c), d));
        params.put("benchmarks", what);
        Path jsonPath = new ResultsFile("micro", machine, params, json).write(s.out);
        Path svg = s.out.resolve("micro.svg");
        Files.writeString(svg, chart(json, machine));
        out.println();
        printTable(json, out);
        out.println("wrote " + jsonPath + " and " + svg);
        return jsonPath;
    }

    private static String name(RunResult r) {
        String full = r.getParams().getBenchmark();
        String[] parts = full.split("\\.");
        String cls = parts[parts.length - 2];
        return cls.substring(0, cls.length() - "Bench".length()) + "." + parts[parts.length - 1];
    }

    private static String shortName(Class<?> c) {
        return c.getSimpleName().substring(0, c.getSimpleName().length() - "Bench".length());
    }

    private static void printTable(List<Map<String, Object>> rows, PrintStream out) {
        String head = String.format(Locale.ROOT, "%-40s %14s %12s %-6s %s", "benchmark", "score", "± error", "unit", "vs JDK");
        out.println(head);
        out.println("-".repeat(head.length() + 8));
        for (Map<String, Object> r : rows) {
            String bench = (String) r.get("benchmark");
            String variant = (String) r.get("variant");
            String ratio = "";
            if (variant.startsWith("weft")) {
                Double jdk = rows.stream()
                        .filter(x -> x.get("benchmark").equals(bench) && ((String) x.get("variant")).startsWith("jdk"))
                        .map(x -> (Double) x.get("score")).findFirst().orElse(null);
                if (jdk != null && jdk > 0) {
                    ratio = String.format(Locale.ROOT, "%.2f× the JDK's time", (Double) r.get("score") / jdk);
                }
            }
            Object err = r.get("error");
            out.printf(Locale.ROOT, "%-40s %14.3f %12s %-6s %s%n", r.get("contender"), (Double) r.get("score"),
                    err instanceof Double d && Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "-", r.get("unit"), ratio);
        }
    }

    private static String chart(List<Map<String, Object>> rows, Machine m) {
        Map<String, List<Map<String, Object>>> byBench = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            byBench.computeIfAbsent((String) r.get("benchmark"), k -> new ArrayList<>()).add(r);
        }
        List<SvgBarChart.Panel> panels = new ArrayList<>();
        Map<String, String> what = new LinkedHashMap<>();
        BENCHMARKS.forEach((c, d) -> what.put(shortName(c), d));
        byBench.forEach((bench, rs) -> {
            List<SvgBarChart.Bar> bars = rs.stream()
                    .map(r -> new SvgBarChart.Bar((String) r.get("variant"), (Double) r.get("score"),
                            r.get("error") instanceof Double e && Double.isFinite(e) ? "± " + SvgBarChart.format(e) : ""))
                    .toList();
            panels.add(new SvgBarChart.Panel(bench + ": " + what.getOrDefault(bench, ""), (String) rs.getFirst().get("unit"), true, bars));
        });
        return SvgBarChart.render("Weft micro-benchmarks (JMH)", m.describe(), panels);
    }
}
