package io.weft.bench.echo;

import io.weft.bench.ChildJvm;
import io.weft.bench.ContenderIds;
import io.weft.bench.Options;
import io.weft.bench.Pinning;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The echo benchmark's parameters ({@code ./weft bench echo --help} lists them).
 *
 * @param seconds        length of each measured run, and of the fixed-rate phase
 * @param warmupSeconds  closed-loop load before the measured runs (not reported)
 * @param pipeline       messages in flight per connection
 * @param runs           measured closed-loop runs; the report gives their median
 * @param rate           the fixed offered rate of the second phase in messages per second; 0 skips it
 * @param pin            pin the server to {@code serverCpu} and the load generator to {@code loadgenCpu}
 */
public record EchoOptions(int connections, int size, double seconds, double warmupSeconds, int pipeline, int runs,
                          double rate, List<Contender> contenders, boolean pin, int serverCpu, int loadgenCpu,
                          List<String> serverJvmOptions, Path out) {

    public static final Set<String> VALUED = Set.of("connections", "size", "seconds", "warmup", "pipeline", "runs",
            "contenders", "rate", "server-cpu", "loadgen-cpu", "server-jvm-opts", "out");
    public static final Set<String> FLAGS = Set.of("quick", "no-pin");

    public static final String USAGE = """
            usage: ./weft bench echo [options]
              --connections N     connections from the load generator (default 64)
              --size BYTES        message size (default 64)
              --seconds S         length of each measured run and of the fixed-rate phase (default 10)
              --warmup S          closed-loop warm-up before measuring (default 2)
              --pipeline DEPTH    messages in flight per connection (default 1)
              --runs N            measured runs; the median is reported (default 3)
              --rate N            offered messages/s in the fixed-rate phase; 0 skips it (default 40000)
              --contenders a,b,c  subset and order (default all: %s)
              --server-cpu N      core for the server (default 0)
              --loadgen-cpu N     core for the load generator (default 1)
              --no-pin            do not pin with taskset
              --server-jvm-opts "..."  JVM options of each server (default "-Xms512m -Xmx512m")
              --out DIR           where echo.json and echo.svg go (default bench-results)
              --quick             --seconds 2 --runs 1 --warmup 1 unless given: checks the harness, measures little
            """.formatted(String.join(",", Contender.ids()));

    /** The options in {@code o}; {@code defaultOut} unless {@code --out} is given. */
    public static EchoOptions from(Options o, Path defaultOut) {
        boolean quick = o.flag("quick");
        List<Contender> contenders = ContenderIds.fromOption(o, Contender.class);
        Pinning pinning = Pinning.from(o);
        return new EchoOptions(
                o.intValue("connections", 64, 1),
                o.intValue("size", 64, 1),
                o.doubleValue("seconds", quick ? 2 : 10, 0.1),
                o.doubleValue("warmup", quick ? 1 : 2, 0),
                o.intValue("pipeline", 1, 1),
                o.intValue("runs", quick ? 1 : 3, 1),
                o.doubleValue("rate", 40_000, 0),
                contenders, pinning.pin(), pinning.serverCpu(), pinning.loadgenCpu(), ChildJvm.serverJvmOptions(o),
                Path.of(o.string("out", defaultOut.toString())));
    }

    /** Seconds the whole benchmark is expected to take (server start and draining included). */
    public double plannedSeconds() {
        double perContender = 2.5 + warmupSeconds + runs * (seconds + 0.3) + (rate > 0 ? seconds + 0.3 : 0);
        return contenders.size() * perContender;
    }

    /** The {@code "params"} member of echo.json. */
    public Map<String, Object> toJson(boolean pinned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", connections);
        m.put("size", size);
        m.put("pipeline", pipeline);
        m.put("seconds", seconds);
        m.put("warmup_seconds", warmupSeconds);
        m.put("runs", runs);
        m.put("statistic", "median of runs");
        m.put("rate", rate);
        m.put("contenders", contenders.stream().map(Contender::id).toList());
        m.put("pinned", pinned);
        m.put("server_cpu", pinned ? serverCpu : null);
        m.put("loadgen_cpu", pinned ? loadgenCpu : null);
        m.put("server_jvm_opts", String.join(" ", serverJvmOptions));
        m.put("loadgen", "java.nio, 1 selector thread, every byte verified");
        return m;
    }
}
