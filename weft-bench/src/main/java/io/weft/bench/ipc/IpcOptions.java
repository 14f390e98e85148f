package io.weft.bench.ipc;

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
 * The IPC benchmark's parameters ({@code ./weft bench ipc --help} lists them).
 *
 * @param size          bytes per message, each way
 * @param seconds       length of each measured window: the latency window and the throughput window of a run
 * @param warmupSeconds before the runs, half spent in each mode (not reported)
 * @param runs          measured runs; the report gives their median
 * @param window        requests outstanding in the throughput mode
 * @param pin           pin the responder to {@code serverCpu} and the requester to {@code loadgenCpu}
 */
public record IpcOptions(int size, double seconds, double warmupSeconds, int runs, int window,
                         List<IpcContender> contenders, boolean pin, int serverCpu, int loadgenCpu,
                         List<String> serverJvmOptions, Path out) {

    /** The sequence number that every message carries in its first bytes. */
    static final int MIN_SIZE = Long.BYTES;
    /** Large enough for any small-message test, small enough for every ring here to hold a full window. */
    static final int MAX_SIZE = 4096;
    static final int MAX_WINDOW = 64;

    public static final Set<String> VALUED = Set.of("size", "seconds", "warmup", "runs", "window", "contenders",
            "server-cpu", "loadgen-cpu", "server-jvm-opts", "out");
    public static final Set<String> FLAGS = Set.of("quick", "no-pin");

    public static final String USAGE = """
            usage: ./weft bench ipc [options]
              --size BYTES        message size, each way (default 64; %d to %d)
              --seconds S         length of each measured window, latency and throughput each (default 1.5)
              --warmup S          before measuring, half in each mode (default 2)
              --runs N            measured runs; the median is reported (default 3)
              --window N          requests outstanding in the throughput mode (default 32; 1 to %d)
              --contenders a,b,c  subset and order (default all: %s)
              --server-cpu N      core for the responder (default 0)
              --loadgen-cpu N     core for the requester (default 1)
              --no-pin            do not pin with taskset
              --server-jvm-opts "..."  JVM options of the responder (default "-Xms512m -Xmx512m")
              --out DIR           where ipc.json and ipc.svg go (default bench-results)
              --quick             --seconds 0.5 --runs 1 --warmup 0.5 unless given: checks the harness, measures little
            """.formatted(MIN_SIZE, MAX_SIZE, MAX_WINDOW, String.join(",", IpcContender.ids()));

    /** The options in {@code o}; {@code defaultOut} unless {@code --out} is given. */
    public static IpcOptions from(Options o, Path defaultOut) {
        boolean quick = o.flag("quick");
        List<IpcContender> contenders = ContenderIds.fromOption(o, IpcContender.class);
        int size = o.intValue("size", 64, MIN_SIZE);
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("--size must be at most " + MAX_SIZE + ": " + size);
        }
        int window = o.intValue("window", 32, 1);
        if (window > MAX_WINDOW) {
            throw new IllegalArgumentException("--window must be at most " + MAX_WINDOW + ": " + window);
        }
        Pinning pinning = Pinning.from(o);
        return new IpcOptions(size,
                o.doubleValue("seconds", quick ? 0.5 : 1.5, 0.05),
                o.doubleValue("warmup", quick ? 0.5 : 2, 0),
                o.intValue("runs", quick ? 1 : 3, 1),
                window, contenders, pinning.pin(), pinning.serverCpu(), pinning.loadgenCpu(),
                ChildJvm.serverJvmOptions(o), Path.of(o.string("out", defaultOut.toString())));
    }

    /** Seconds the whole benchmark is expected to take (responder start and stop included). */
    public double plannedSeconds() {
        double measuring = warmupSeconds + runs * (2 * seconds + 0.2);
        double total = 0;
        for (IpcContender c : contenders) {
            total += measuring + (c.inProcess() ? 0.2 : c == IpcContender.AERON_IPC ? 2 : 1); // a responder JVM's start and stop
        }
        return total;
    }

    /** The {@code "params"} member of ipc.json. */
    public Map<String, Object> toJson(boolean pinned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size);
        m.put("seconds", seconds);
        m.put("warmup_seconds", warmupSeconds);
        m.put("runs", runs);
        m.put("statistic", "median of runs");
        m.put("latency_mode", "one request outstanding; each round trip timed with System.nanoTime into an HdrHistogram");
        m.put("throughput_mode", "window of " + window + " requests outstanding (a new request as each response arrives);"
                + " floor keeps 1 (one word holds one message)");
        m.put("window", window);
        m.put("cpu_us_per_op", "user+system time of both processes (responder from /proc/PID/stat, requester from"
                + " /proc/self/stat) over the throughput window, per round trip; floor: its one process");
        m.put("contenders", contenders.stream().map(IpcContender::id).toList());
        m.put("pinned", pinned);
        m.put("server_cpu", pinned ? serverCpu : null);
        m.put("loadgen_cpu", pinned ? loadgenCpu : null);
        m.put("server_jvm_opts", String.join(" ", serverJvmOptions));
        return m;
    }
}
