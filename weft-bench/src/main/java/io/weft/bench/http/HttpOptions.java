package io.weft.bench.http;

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
 * The HTTP benchmark's parameters ({@code ./weft bench http --help} lists them).
 *
 * @param pipeline        requests per write in the pipelined mode; 1 runs the plain mode only
 * @param idleConnections connections opened and left idle to measure each server's heap per connection; 0 skips it
 * @param idleOnly        measure the heap per idle connection only, without wrk
 */
public record HttpOptions(int connections, int threads, double seconds, double warmupSeconds, int runs, int pipeline,
                          String path, List<HttpContender> contenders, boolean pin, int serverCpu, int loadgenCpu,
                          List<String> serverJvmOptions, Path out, int idleConnections, boolean idleOnly) {

    public static final Set<String> VALUED = Set.of("connections", "threads", "seconds", "warmup", "runs", "pipeline",
            "path", "contenders", "server-cpu", "loadgen-cpu", "server-jvm-opts", "out", "idle-connections");
    public static final Set<String> FLAGS = Set.of("quick", "no-pin", "idle-only");

    public static final String USAGE = """
            usage: ./weft bench http [options]
              --connections N     wrk connections (default 64)
              --threads N         wrk threads (default 1: wrk has one core)
              --seconds S         length of each measured run (default 5)
              --warmup S          wrk run before measuring each mode, not reported (default 2)
              --runs N            measured runs per mode; the median is reported (default 3)
              --pipeline DEPTH    requests per write in the pipelined mode; 1 skips that mode (default 16)
              --path P            the endpoint: /plaintext or /json (default /plaintext)
              --contenders a,b,c  subset and order (default all: %s)
              --server-cpu N      core for the server (default 0)
              --loadgen-cpu N     core for wrk (default 1)
              --no-pin            do not pin with taskset
              --server-jvm-opts "..."  JVM options of each server (default "-Xms512m -Xmx512m")
              --out DIR           where http.json and http.svg go (default bench-results)
              --idle-connections N  after the wrk runs, open N connections that send nothing and report
                                  the server's heap per idle connection (heap after a full GC, via jcmd;
                                  default 2000, 0 skips it)
              --idle-only         only the idle-connection heap measurement (no wrk needed)
              --quick             --seconds 2 --runs 1 --warmup 1 unless given: checks the harness, measures little
            wrk must be installed (Debian: apt-get install wrk); run as root, the benchmark installs it.
            """.formatted(String.join(",", HttpContender.ids()));

    public static HttpOptions from(Options o, Path defaultOut) {
        boolean quick = o.flag("quick");
        List<HttpContender> contenders = ContenderIds.fromOption(o, HttpContender.class);
        Pinning pinning = Pinning.from(o);
        String path = o.string("path", "/plaintext");
        if (!path.equals("/plaintext") && !path.equals("/json")) {
            throw new IllegalArgumentException("--path must be /plaintext or /json: " + path);
        }
        return new HttpOptions(
                o.intValue("connections", 64, 1),
                o.intValue("threads", 1, 1),
                o.doubleValue("seconds", quick ? 2 : 5, 1),
                o.doubleValue("warmup", quick ? 1 : 2, 0),
                o.intValue("runs", quick ? 1 : 3, 1),
                o.intValue("pipeline", 16, 1),
                path, contenders, pinning.pin(), pinning.serverCpu(), pinning.loadgenCpu(), ChildJvm.serverJvmOptions(o),
                Path.of(o.string("out", defaultOut.toString())),
                o.intValue("idle-connections", 2000, 0), o.flag("idle-only"));
    }

    /** The modes measured: pipeline depth 1, and {@link #pipeline} if above 1. */
    public List<Integer> depths() {
        return pipeline > 1 ? List.of(1, pipeline) : List.of(1);
    }

    /** Seconds the whole benchmark is expected to take (server start and stop included). */
    public double plannedSeconds() {
        double perMode = (warmupSeconds > 0 ? Math.max(1, Math.round(warmupSeconds)) + 0.3 : 0) + runs * (Math.round(seconds) + 0.3);
        double idle = idleConnections > 0 ? 5 : 0;
        return contenders.size() * (3 + idle + (idleOnly ? 0 : depths().size() * perMode));
    }

    /** The {@code "params"} member of http.json. */
    public Map<String, Object> toJson(boolean pinned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("connections", connections);
        m.put("threads", threads);
        m.put("pipeline_depths", depths());
        m.put("seconds", seconds);
        m.put("warmup_seconds", warmupSeconds);
        m.put("runs", runs);
        m.put("statistic", "median of runs");
        m.put("contenders", contenders.stream().map(HttpContender::id).toList());
        m.put("pinned", pinned);
        m.put("server_cpu", pinned ? serverCpu : null);
        m.put("loadgen_cpu", pinned ? loadgenCpu : null);
        m.put("server_jvm_opts", String.join(" ", serverJvmOptions));
        m.put("loadgen", "wrk --latency" + " (pipelined mode: a Lua script sending DEPTH requests per write)");
        m.put("idle_connections", idleConnections);
        m.put("idle_only", idleOnly);
        return m;
    }
}
